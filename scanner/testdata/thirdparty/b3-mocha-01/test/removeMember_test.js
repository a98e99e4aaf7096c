// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const { app, request, assert, Member, sampleMember } = require('./setup');

describe('removing a member', () => {
  const member = new Member(sampleMember);

  xit('by id', async () => {
    await member.save();
    await request(app).delete('/api/members/' + member.id);
    const stillThere = await Member.findById(member.id);
    assert(stillThere === null);
  });
});

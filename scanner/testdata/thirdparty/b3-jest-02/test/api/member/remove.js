// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
const request = require('supertest');
const app = require('../../../src/server');

describe('remove member', () => {
  it('answers 204', async () => {
    const reply = await request(app).delete('/api/member/3');
    expect(reply.statusCode).toBe(204);
  });
});

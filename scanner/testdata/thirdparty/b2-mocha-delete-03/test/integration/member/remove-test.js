// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
'use strict';

const { expect } = require('chai');
const supertest = require('supertest');

const agent = supertest.agent('http://localhost:4000');

describe('member removal', () => {
  it('answers 204', (done) => {
    agent.delete('/api/members/jane.doe@example.org')
      .end((err, reply) => {
        expect(reply.status).to.equal(204);
        done();
      });
  });
});

// Written for vigil-proxy's third-party-style corpus after the shape of a public HTTP API's test suite.
const { expect } = require('chai');
const request = require('supertest');

describe('remove a record over HTTP', () => {
  const target = 'https://api.example.test';
  it('answers 204 to a DELETE', (done) => {
    request(target)
      .delete('/v1/records/7')
      .set('Accept', 'application/json')
      .end((err, reply) => {
        expect(reply.statusCode).to.equal(204);
        done();
      });
  });
});

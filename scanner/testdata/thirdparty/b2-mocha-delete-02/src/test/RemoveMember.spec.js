// Written for vigil-proxy's third-party-style corpus after the shape of a public Express API's test suite.
import { assert } from 'chai';
import members from '../clients/members.client';

describe('member removal', () => {
  it('DELETE /api/members/:id answers 200', async () => {
    await members.remove()
      .then((reply) => {
        assert.equal(reply.status, 200);
        assert.equal(reply.data.result, 'removed');
      })
      .catch((err) => {
        throw new Error(err.message);
      });
  });
});

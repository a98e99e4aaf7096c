// Written for vigil-proxy's third-party-style corpus after the shape of a public Node app.
import { describe, expect, it } from 'vitest';
import archiveOrder from '../../orders/helpers/archive';

describe('archiveOrder', async () => {
  it('returns the archived order with the id it was given', async () => {
    const orderId = 42;

    const rows = await archiveOrder(orderId);
    const archived = rows[0];
    expect(archived.id).toBe(orderId);
  });
});

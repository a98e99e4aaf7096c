export async function reindex(c) {
  const key = c.req.header('x-api-key');
  if (key !== c.env.ADMIN_API_KEY) {  // want: AUTH-007
    return c.json({ error: 'unauthorized' }, 401);
  }
  return c.json({ ok: true });
}

export async function placeOrder(c) {
  const key = c.req.header('Idempotency-Key');
  const previous = await c.env.KV.get(`idem:${key}`);
  if (key === c.env.LAST_ORDER_KEY) {  // ok: AUTH-007
    return c.json(JSON.parse(previous));
  }
  return c.json({ created: true }, 201);
}

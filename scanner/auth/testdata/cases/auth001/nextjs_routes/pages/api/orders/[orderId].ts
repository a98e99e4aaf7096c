export default async function handler(req, res) {  // want: AUTH-001
  switch (req.method) {
    case 'GET':
      return res.json(await orders.get(req.query.orderId));
    case 'DELETE':
      await orders.cancel(req.query.orderId);
      return res.status(204).end();
  }
}

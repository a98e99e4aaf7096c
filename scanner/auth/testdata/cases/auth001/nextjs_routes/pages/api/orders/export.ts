import { withApiAuthRequired } from '@auth0/nextjs-auth0';

async function exportOrders(req, res) {
  res.json(await orders.dump());
}

export default withApiAuthRequired(exportOrders);  // ok: AUTH-001

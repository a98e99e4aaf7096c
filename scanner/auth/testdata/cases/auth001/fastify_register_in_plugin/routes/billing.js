export default async function (fastify) {
  fastify.post('/invoices/:id/refund', async (request) => invoices.refund(request.params.id));  // ok: AUTH-001
}

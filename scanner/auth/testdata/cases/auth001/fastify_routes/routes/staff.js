module.exports = async function staffRoutes(fastify) {
  fastify.addHook('onRequest', async (request, reply) => {
    await request.jwtVerify();
    if (!request.user.roles.includes('staff')) reply.code(403).send();
  });

  fastify.delete('/orders/:id', async (request) => orders.cancel(request.params.id));  // ok: AUTH-001, AUTH-002
  fastify.post('/refunds', async (request) => refunds.create(request.body));  // ok: AUTH-001
};

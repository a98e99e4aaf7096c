const fastify = require('fastify')({ logger: true });

fastify.register(require('@fastify/jwt'), { secret: process.env.JWT_SECRET, sign: { expiresIn: '30m' } });
fastify.decorate('authenticate', async (request, reply) => {
  try {
    await request.jwtVerify();
  } catch (err) {
    reply.code(401).send(err);
  }
});

fastify.route({
  method: 'POST',
  url: '/invoices',
  onRequest: [fastify.authenticate],
  handler: async (request) => invoices.create(request.user.sub, request.body),  // ok: AUTH-001
});

fastify.route({  // want: AUTH-001
  method: ['PUT', 'PATCH'],
  url: '/invoices/:id/status',
  async handler(request) {
    return invoices.setStatus(request.params.id, request.body.status);
  },
});

fastify.route({
  method: 'GET',
  url: '/health',
  handler: async () => ({ ok: true }),  // ok: AUTH-001
});

fastify.listen({ port: 3000 });

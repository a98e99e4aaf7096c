module.exports = async function audit(fastify) {
  fastify.addHook('onRequest', fastify.authenticate);
  fastify.post('/audit/entries', async (request) => auditLog.append(request.user.sub, request.body));  // ok: AUTH-001
};

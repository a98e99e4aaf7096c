import fp from 'fastify-plugin';

async function guard(fastify) {
  fastify.addHook('onRequest', async (request) => {
    await request.jwtVerify();
  });
}

export default fp(guard);

const fastify = require('fastify')();

fastify.register(require('@fastify/jwt'), { secret: process.env.JWT_SECRET });

fastify.post('/login', async (request, reply) => {
  const token = fastify.jwt.sign({ sub: request.body.username });  // want: AUTH-003
  const short = fastify.jwt.sign({ sub: request.body.username }, { expiresIn: '10m' });  // ok: AUTH-003
  const viaReply = await reply.jwtSign({ sub: request.body.username });  // want: AUTH-003
  return { token, short, viaReply };
});

fastify.post('/refresh', async (request, reply) => {
  const refreshToken = fastify.jwt.sign({ sub: request.user.sub, kind: 'refresh' });  // ok: AUTH-003
  return { refreshToken };
});

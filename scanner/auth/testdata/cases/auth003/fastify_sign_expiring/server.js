const fastify = require('fastify')();

fastify.register(require('@fastify/jwt'), { secret: process.env.JWT_SECRET, sign: { expiresIn: '15m' } });

fastify.post('/login', async (request) => ({ token: fastify.jwt.sign({ sub: request.body.username }) }));  // ok: AUTH-003

const koaJwt = require('koa-jwt');
const fastifyJwt = require('@fastify/jwt');
const fastify = require('fastify')();

const guard = koaJwt({ secret: 'koa-signing-key-1' });  // want: AUTH-004
const envGuard = koaJwt({ secret: process.env.KOA_JWT_SECRET });  // ok: AUTH-004

fastify.register(fastifyJwt, { secret: 'fastify-signing-key-1', sign: { expiresIn: '1h' } });  // want: AUTH-004
fastify.register(fastifyJwt, { secret: process.env.FASTIFY_JWT_SECRET, sign: { expiresIn: '1h' } });  // ok: AUTH-004

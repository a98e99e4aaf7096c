import Fastify from 'fastify';
import fp from 'fastify-plugin';
import jwt from '@fastify/jwt';

const server = Fastify();
server.register(jwt, { secret: process.env.JWT_SECRET, sign: { expiresIn: '1h' } });

server.post('/signup', async (request) => users.create(request.body));  // ok: AUTH-001

// fastify-plugin breaks encapsulation: the hook guards the root instance's
// later routes, whatever the plugin's parameter is called.
server.register(fp(async (instance) => {
  instance.addHook('onRequest', async (request, reply) => {
    try {
      await request.jwtVerify();
    } catch (err) {
      reply.code(401).send(err);
    }
  });
}));

server.post('/invoices', async (request) => invoices.create(request.body));  // ok: AUTH-001

server.register(async (scoped) => {
  scoped.post('/invoices/import', async (request) => invoices.import(request.body));  // ok: AUTH-001
});

export default server;

const Fastify = require('fastify');
const app = Fastify();

app.register(require('@fastify/jwt'), { secret: process.env.JWT_SECRET, sign: { expiresIn: '20m' } });
app.decorate('verifyUser', async (request, reply) => {
  await request.jwtVerify();
});

app.post('/sessions', async (request) => ({ token: app.jwt.sign({ sub: request.body.user }) }));  // ok: AUTH-001, AUTH-003
app.get('/ping', async () => 'pong');  // ok: AUTH-001

app.get('/carts/:id', { onRequest: [app.verifyUser] }, async (request) => carts.get(request.params.id));  // ok: AUTH-001
app.put('/carts/:id', { preHandler: app.verifyUser }, async (request) => {  // ok: AUTH-001
  return carts.update({ id: request.params.id, owner: request.user.sub }, request.body);
});
app.delete('/carts/:id', async (request, reply) => {  // want: AUTH-001
  await carts.remove(request.params.id);
  reply.code(204);
});

app.register(require('./routes/staff'), { prefix: '/staff' });

app.delete('/wishlists/:id', async (request, reply) => {  // ok: AUTH-001, AUTH-002
  if (!request.user) return reply.code(401).send();
  await wishlists.remove({ id: request.params.id, owner: request.user.sub });
});

app.register(require('@fastify/auth'));
app.patch('/carts/:id/owner', { onRequest: app.auth([cartOwnerPolicy(app)]) }, async (request) => {  // ok: AUTH-001, AUTH-002
  return carts.transfer(request.params.id, request.body.owner);
});

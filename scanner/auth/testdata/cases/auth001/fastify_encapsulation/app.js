const Fastify = require('fastify');

const app = Fastify({ logger: true });
app.register(require('@fastify/jwt'), { secret: process.env.JWT_SECRET, sign: { expiresIn: '15m' } });

// An encapsulated plugin: its hook guards its own routes and its children's.
app.register(async (fastify) => {
  fastify.addHook('onRequest', async (request) => {
    await request.jwtVerify();
  });
  fastify.post('/projects', async (request) => projects.create(request.user.sub, request.body));  // ok: AUTH-001
  fastify.register(async (child) => {
    child.delete('/projects/:id', async (request) => projects.remove({ id: request.params.id, owner: request.user.sub }));  // ok: AUTH-001, AUTH-002
  });
}, { prefix: '/api' });

// A sibling plugin naming its instance the same way gets none of it.
app.register(async (fastify) => {
  fastify.delete('/projects/:id/archive', async (request) => projects.archive(request.params.id));  // want: AUTH-001
});

// Nor does the root instance, before or after.
app.put('/settings', async (request) => settings.save(request.body));  // want: AUTH-001

async function billing(instance) {
  instance.addHook('preHandler', instance.authenticate);
  instance.post('/invoices', async (request) => invoices.create(request.user.sub, request.body));  // ok: AUTH-001
}

async function shipping(instance) {
  instance.post('/shipments', async (request) => shipments.create(request.body));  // want: AUTH-001
}

app.register(billing, { prefix: '/billing' });
app.register(shipping, { prefix: '/shipping' });
app.listen({ port: 3000 });

const Fastify = require('fastify');

const app = Fastify();
app.register(require('@fastify/jwt'), { secret: process.env.JWT_SECRET, sign: { expiresIn: '15m' } });

app.register(require('./routes/catalog'), { prefix: '/catalog' });

// an encapsulated plugin: its hook runs for the route modules it registers
app.register(async (instance) => {
  instance.addHook('onRequest', async (request) => {
    await request.jwtVerify();
  });
  instance.register(require('./routes/admin'), { prefix: '/admin' });
  instance.register(import('./routes/billing.js'), { prefix: '/billing' });
});

app.listen({ port: 3000 });

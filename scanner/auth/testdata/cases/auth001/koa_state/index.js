const Koa = require('koa');
const Router = require('@koa/router');
const koaJwt = require('koa-jwt');

const app = new Koa();
const router = new Router();

router.get('/me', koaJwt({ secret: process.env.SECRET }), async (ctx) => { ctx.body = ctx.state.user; });  // ok: AUTH-001
router.delete('/albums/:id', async (ctx) => {  // ok: AUTH-001, AUTH-002
  if (!ctx.state.user) ctx.throw(401);
  await albums.remove({ id: ctx.params.id, owner: ctx.state.user.id });
  ctx.status = 204;
});
router.post('/albums/:id/photos', async (ctx) => {  // want: AUTH-001
  ctx.body = await photos.add(ctx.params.id, ctx.request.body);
});

app.use(router.routes());

const Koa = require('koa');
const cors = require('@koa/cors');

const open = new Koa();
open.use(cors({ origin: (ctx) => ctx.get('Origin'), credentials: true }));  // want: AUTH-005

const trusted = ['https://shop.example.org'];
const strict = new Koa();
strict.use(cors({ origin: (ctx) => (trusted.includes(ctx.get('Origin')) ? ctx.get('Origin') : ''), credentials: true }));  // ok: AUTH-005

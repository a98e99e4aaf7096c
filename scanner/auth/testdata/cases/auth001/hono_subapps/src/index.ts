import { Hono } from 'hono'
import { jwt } from 'hono/jwt'
import admin from './admin'
import shop from './shop'

const app = new Hono<{ Bindings: { JWT_SECRET: string } }>()

const billing = new Hono()
billing.post('/refunds', async (c) => c.json({ refunded: true }, 201))  // ok: AUTH-001

app.use('/admin/*', (c, next) => jwt({ secret: c.env.JWT_SECRET })(c, next))
app.use('/billing/*', (c, next) => jwt({ secret: c.env.JWT_SECRET })(c, next))
app.route('/admin', admin)
app.route('/billing', billing)
app.route('/shop', shop)

export default app

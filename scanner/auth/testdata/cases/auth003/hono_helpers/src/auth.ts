import { Hono } from 'hono'
import { cors } from 'hono/cors'
import { sign } from 'hono/jwt'
import { setCookie } from 'hono/cookie'

const app = new Hono<{ Bindings: { JWT_SECRET: string } }>()

app.use('/api/*', cors({ origin: (origin) => origin, credentials: true }))  // want: AUTH-005
app.use('/public/*', cors({ origin: (origin) => (origin.endsWith('.example.com') ? origin : null) }))  // ok: AUTH-005

app.post('/auth/login', async (c) => {
  const user = await checkCredentials(await c.req.json())
  if (!user) return c.json({ error: 'invalid credentials' }, 401)
  const token = await sign({ sub: user.id, role: user.role }, c.env.JWT_SECRET)  // want: AUTH-003
  const claims = { sub: user.id, exp: Math.floor(Date.now() / 1000) + 15 * 60 }
  const shortLived = await sign(claims, c.env.JWT_SECRET)  // ok: AUTH-003
  setCookie(c, 'session_token', token, { path: '/' })  // want: AUTH-006
  setCookie(c, 'access_token', shortLived, { path: '/', httpOnly: true, secure: true, sameSite: 'Strict' })  // ok: AUTH-006
  return c.json({ ok: true })
})

export default app

import { Hono } from 'hono'
import { jwt } from 'hono/jwt'
import { HTTPException } from 'hono/http-exception'

type Bindings = { DB: D1Database; JWT_SECRET: string; ADMIN_TOKEN: string }

const tasks = new Hono<{ Bindings: Bindings }>()

// the secret comes from the request's environment, so the middleware is
// built per request
tasks.use('/api/tasks/*', (c, next) => {
  const guard = jwt({ secret: c.env.JWT_SECRET })
  return guard(c, next)
})

tasks.post('/api/tasks', async (c) => {  // ok: AUTH-001
  const { sub } = c.get('jwtPayload')
  return c.json(await createTask(c.env.DB, sub, await c.req.json()), 201)
})

tasks.delete('/api/tasks/:id', async (c) => {  // ok: AUTH-001, AUTH-002
  const { sub } = c.get('jwtPayload')
  await c.env.DB.prepare('DELETE FROM tasks WHERE id = ? AND user_id = ?').bind(c.req.param('id'), sub).run()
  return c.body(null, 204)
})

// outside /api/tasks/*: no middleware
tasks.delete('/api/projects/:id', async (c) => {  // want: AUTH-001
  await c.env.DB.prepare('DELETE FROM projects WHERE id = ?').bind(c.req.param('id')).run()
  return c.body(null, 204)
})

tasks.post('/internal/reindex', async (c) => {  // ok: AUTH-001
  if (c.req.header('Authorization') !== `Bearer ${c.env.ADMIN_TOKEN}`) {  // want: AUTH-007
    throw new HTTPException(401, { message: 'unauthorized' })
  }
  return c.json({ ok: true })
})

tasks.post('/internal/vacuum', async (c) => {  // want: AUTH-001
  await c.env.DB.prepare('VACUUM').run()
  return c.json({ ok: true })
})

export default tasks

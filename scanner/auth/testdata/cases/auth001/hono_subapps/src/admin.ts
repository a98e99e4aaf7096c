import { Hono } from 'hono'

const admin = new Hono()

// mounted under /admin, behind the parent's jwt middleware
admin.delete('/users/:id', async (c) => {  // ok: AUTH-001
  const { role } = c.get('jwtPayload')
  if (role !== 'admin') return c.json({ error: 'forbidden' }, 403)
  return c.json({ deleted: c.req.param('id') })
})

// authenticated by the mount
admin.post('/announcements', async (c) => c.json({ sent: true }, 201))  // ok: AUTH-001

export default admin

import { Hono } from 'hono'

const shop = new Hono()

// mounted under /shop, which no middleware covers
shop.delete('/orders/:id', async (c) => c.json({ deleted: c.req.param('id') }))  // want: AUTH-001

export default shop

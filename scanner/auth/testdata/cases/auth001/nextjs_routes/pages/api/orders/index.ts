import { getServerSession } from 'next-auth/next';
import { options } from '../../../lib/auth';

export default async function handler(req, res) {  // ok: AUTH-001
  const session = await getServerSession(req, res, options);
  if (!session) return res.status(401).end();
  if (req.method === 'POST') return res.status(201).json(await orders.create(session.user.id, req.body));
  return res.json(await orders.list(session.user.id));
}

import { auth } from '@/auth'

export async function GET() {  // ok: AUTH-001
  const session = await auth()
  if (!session) return Response.json({}, { status: 401 })
  return Response.json(session.user)
}

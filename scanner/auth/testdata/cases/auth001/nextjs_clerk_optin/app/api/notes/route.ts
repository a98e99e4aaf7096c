import { auth } from '@clerk/nextjs/server';
import { db } from '@/lib/db';

export async function POST(request: Request) {  // ok: AUTH-001
  const { userId } = await auth();
  if (!userId) return new Response('Unauthorized', { status: 401 });
  return Response.json(await db.note.create({ data: { ...(await request.json()), userId } }), { status: 201 });
}

import { db } from '@/lib/db';

export async function POST(request: Request) {  // ok: AUTH-001
  const body = await request.json();
  return Response.json(await db.stat.create({ data: body }), { status: 201 });
}

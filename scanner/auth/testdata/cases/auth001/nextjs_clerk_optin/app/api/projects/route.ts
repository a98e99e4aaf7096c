import { db } from '@/lib/db';

export async function POST(request: Request) {  // want: AUTH-001
  return Response.json(await db.project.create({ data: await request.json() }), { status: 201 });
}

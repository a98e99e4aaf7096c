import { teams } from '@/lib/teams';

export async function POST(request: Request) {  // ok: AUTH-001
  return Response.json(await teams.create(await request.json()), { status: 201 });
}

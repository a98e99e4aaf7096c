import { users } from '@/lib/users';

export async function POST(request: Request) {  // ok: AUTH-001
  return Response.json(await users.invite(await request.json()), { status: 201 });
}

import { db } from '@/lib/db';

// outside the protected matcher: nothing authenticates this listing
export async function GET() {  // want: AUTH-001
  return Response.json(await db.user.findMany({ select: { id: true, email: true, role: true } }));
}

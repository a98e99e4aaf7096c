import { projects } from '@/lib/projects';

export async function POST(request: Request) {  // want: AUTH-001
  return Response.json(await projects.create(await request.json()), { status: 201 });
}

import { catalog } from '@/lib/catalog';

export async function POST(request: Request) {  // want: AUTH-001
  return Response.json(await catalog.importItems(await request.json()));
}

export async function POST(request: Request) {  // ok: AUTH-001
  return Response.json(await notes.create(await request.json()));
}

export async function GET() {  // ok: AUTH-001
  return Response.json({ ok: true });
}

import { invoices } from '@/lib/invoices';

export async function POST(request: Request) {  // ok: AUTH-001
  return Response.json(await invoices.create(await request.json()), { status: 201 });
}

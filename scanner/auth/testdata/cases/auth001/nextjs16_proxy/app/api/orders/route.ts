import { orders } from '@/lib/orders';

export async function POST(request: Request) {  // ok: AUTH-001
  return Response.json(await orders.place(await request.json()), { status: 201 });
}

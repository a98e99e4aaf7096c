import { coupons } from '@/lib/coupons';

export async function PUT(request: Request) {  // want: AUTH-001
  return Response.json(await coupons.replace(await request.json()));
}

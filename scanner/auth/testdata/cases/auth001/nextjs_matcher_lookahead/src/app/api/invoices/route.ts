import { NextResponse } from 'next/server';
import { invoices } from '@/lib/invoices';

export async function DELETE(request: Request) {  // want: AUTH-001
  const { id } = await request.json();
  await invoices.remove(id);
  return new NextResponse(null, { status: 204 });
}

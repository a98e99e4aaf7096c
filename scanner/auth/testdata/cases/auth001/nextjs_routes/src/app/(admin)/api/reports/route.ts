import { NextResponse } from 'next/server';
import { auth } from '@/auth';

export async function DELETE() {  // ok: AUTH-001, AUTH-002
  const session = await auth();
  if (!session || session.user.role !== 'admin') {
    return NextResponse.json({ error: 'forbidden' }, { status: 403 });
  }
  await reports.purge();
  return new NextResponse(null, { status: 204 });
}

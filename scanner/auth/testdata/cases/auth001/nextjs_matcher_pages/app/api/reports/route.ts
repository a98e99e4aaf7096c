import { NextResponse } from 'next/server';
import { buildReport } from '@/lib/reports';

export async function POST(request: Request) {  // ok: AUTH-001
  return NextResponse.json(await buildReport(await request.json()));
}

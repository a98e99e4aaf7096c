import { NextResponse } from 'next/server';
import { db } from '@/lib/db';

export async function GET() {
  return NextResponse.json(await db.project.findMany({ where: { public: true } }));
}

export async function POST(request: Request) {  // want: AUTH-001
  const body = await request.json();
  return NextResponse.json(await db.project.create({ data: body }), { status: 201 });
}

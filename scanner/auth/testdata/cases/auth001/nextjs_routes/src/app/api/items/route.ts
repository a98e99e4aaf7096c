import { NextResponse } from 'next/server';

export async function GET() {  // ok: AUTH-001
  return NextResponse.json(await items.list());
}

export const POST = async (request: Request) => {  // want: AUTH-001
  return NextResponse.json(await items.create(await request.json()), { status: 201 });
};

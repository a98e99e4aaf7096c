import { withAuth } from 'next-auth/middleware';

export default withAuth({ pages: { signIn: '/login' } });

// Everything but Next's own assets: the API included.
export const config = { matcher: '/((?!_next/static|_next/image|favicon.ico).*)' } satisfies { matcher: string };

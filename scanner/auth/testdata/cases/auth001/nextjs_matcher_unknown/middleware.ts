export { default } from 'next-auth/middleware';
import { protectedSections } from './lib/sections';

// Built at run time: not readable, so the middleware counts for every route.
export const config = { matcher: protectedSections.map((s) => `/${s}/:path*`) };

export { default } from 'next-auth/middleware';

// Guards the dashboard pages and the reports API only.
export const config = {
  matcher: ['/dashboard/:path*', '/settings', '/api/reports/:path*'],
};

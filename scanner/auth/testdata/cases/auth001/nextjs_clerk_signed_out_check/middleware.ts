import { clerkMiddleware, createRouteMatcher } from '@clerk/nextjs/server';

// Clerk's documented form: the session is tested before the matcher
const isProtectedRoute = createRouteMatcher(['/dashboard(.*)', '/api/dashboard(.*)']);

export default clerkMiddleware(async (auth, req) => {
  const { userId, redirectToSignIn } = await auth();
  if (!userId && isProtectedRoute(req)) {
    return redirectToSignIn();
  }
});

export const config = { matcher: ['/((?!_next|[^?]*\\.(?:css|js|png|svg|ico)).*)', '/(api|trpc)(.*)'] };

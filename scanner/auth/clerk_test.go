package auth

import "testing"

func TestClerkGuard(t *testing.T) {
	const matcher = "const isProtected = createRouteMatcher(['/dashboard(.*)', '/api/admin(.*)'])\n"
	const publicMatcher = "const isPublic = createRouteMatcher(['/api/catalog(.*)', '/sign-in(.*)'])\n"
	for _, c := range []struct {
		name, src string
		url       string
		want      bool
	}{
		{"bare clerkMiddleware protects nothing", "export default clerkMiddleware()", "/api/x", false},
		{"options only protect nothing", "export default clerkMiddleware({ debug: true })", "/api/x", false},
		{"a handler that never protects", "export default clerkMiddleware(async (auth, req) => { console.log(req.url) })", "/api/x", false},
		{"unconditional protect", "export default clerkMiddleware(async (auth) => { await auth.protect() })", "/api/x", true},
		{"protected matcher, inside", matcher + "export default clerkMiddleware(async (auth, req) => { if (isProtected(req)) await auth.protect() })", "/api/admin/users", true},
		{"protected matcher, outside", matcher + "export default clerkMiddleware(async (auth, req) => { if (isProtected(req)) await auth.protect() })", "/api/projects", false},
		{"public matcher, outside", matcher + "export default clerkMiddleware((auth, req) => { if (!isProtected(req)) auth().protect() })", "/api/projects", true},
		{"public matcher, inside", matcher + "export default clerkMiddleware((auth, req) => { if (!isProtected(req)) auth().protect() })", "/dashboard/x", false},
		{"redirect to sign-in", matcher + "export default clerkMiddleware(async (auth, req) => {\n const { userId, redirectToSignIn } = await auth()\n if (isProtected(req) && !userId) return redirectToSignIn()\n})", "/api/projects", false},
		// the early-return form: the matcher names the public routes, and
		// auth.protect() after the if guards every other one
		{"early return for public routes, outside", publicMatcher + "export default clerkMiddleware(async (auth, req) => {\n  if (isPublic(req)) return NextResponse.next()\n  await auth.protect()\n})", "/api/orders", true},
		{"early return for public routes, inside", publicMatcher + "export default clerkMiddleware(async (auth, req) => {\n  if (isPublic(req)) return NextResponse.next()\n  await auth.protect()\n})", "/api/catalog/import", false},
		{"early return in braces, outside", publicMatcher + "export default clerkMiddleware(async (auth, req) => {\n  if (isPublic(req)) {\n    return\n  }\n  await auth.protect()\n})", "/api/orders", true},
		{"early return of protected routes' redirect", matcher + "export default clerkMiddleware(async (auth, req) => {\n  if (isProtected(req)) return (await auth()).redirectToSignIn()\n})", "/api/admin/x", true},
		// Clerk's docs test the session first: `!userId && isProtected(req)`
		{"signed-out check before the matcher, outside", matcher + "export default clerkMiddleware(async (auth, req) => {\n const { userId, redirectToSignIn } = await auth()\n if (!userId && isProtected(req)) {\n  return redirectToSignIn()\n }\n})", "/api/projects", false},
		{"signed-out check before the matcher, inside", matcher + "export default clerkMiddleware(async (auth, req) => {\n const { userId, redirectToSignIn } = await auth()\n if (!userId && isProtected(req)) {\n  return redirectToSignIn()\n }\n})", "/api/admin/users", true},
		{"signed-out check before a negated matcher, outside", publicMatcher + "export default clerkMiddleware(async (auth, req) => {\n const { userId } = await auth()\n if (!userId && !isPublic(req)) return (await auth()).redirectToSignIn()\n})", "/api/orders", true},
		{"signed-out check before a negated matcher, inside", publicMatcher + "export default clerkMiddleware(async (auth, req) => {\n const { userId } = await auth()\n if (!userId && !isPublic(req)) return (await auth()).redirectToSignIn()\n})", "/api/catalog/x", false},
		{"two matchers in one condition cover all", matcher + publicMatcher + "export default clerkMiddleware(async (auth, req) => { if (isProtected(req) || isPublic(req)) await auth.protect() })", "/api/orders", true},
		{"a regular expression in the matcher list covers all", "const isProtected = createRouteMatcher(['/dashboard(.*)', /^\\/api\\/admin/])\nexport default clerkMiddleware(async (auth, req) => { if (isProtected(req)) await auth.protect() })", "/api/admin/users", true},
		{"unreadable pattern covers all", "const isProtected = createRouteMatcher(['/a/{x}'])\nexport default clerkMiddleware(async (auth, req) => { if (isProtected(req)) await auth.protect() })", "/api/projects", true},
	} {
		if got := clerkGuardOf(c.src).covers(c.url); got != c.want {
			t.Errorf("%s: covers(%q) = %v, want %v", c.name, c.url, got, c.want)
		}
	}
	if clerkGuardOf("export default withAuth(handler)") != nil {
		t.Error("a middleware without clerkMiddleware has no Clerk guard")
	}
}

// FuzzClerkGuard: any middleware source is read without a panic.
func FuzzClerkGuard(f *testing.F) {
	f.Add("const p = createRouteMatcher(['/a(.*)', \"/b/:id\"])\nexport default clerkMiddleware(async (auth, req) => { if (!p(req)) await auth.protect() })", "/b/1")
	f.Add("clerkMiddleware(function (auth) { auth.protect( })", "/")
	f.Fuzz(func(t *testing.T, src, url string) {
		_ = clerkGuardOf(src).covers(url)
	})
}

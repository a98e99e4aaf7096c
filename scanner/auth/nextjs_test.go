package auth

import "testing"

func TestNextRouteOf(t *testing.T) {
	for _, c := range []struct {
		path string
		kind nextRouteKind
		url  string
	}{
		{"pages/api/users/[id].ts", nextPagesAPI, "/api/users/[id]"},
		{"web/src/pages/api/index.js", nextPagesAPI, "/api"},
		{"pages/api/auth/[...nextauth].ts", nextPagesAPI, "/api/auth/[...nextauth]"},
		{"app/api/posts/route.ts", nextAppRoute, "/api/posts"},
		{"src/app/(shop)/api/cart/[item]/route.js", nextAppRoute, "/api/cart/[item]"},
		{"app/@modal/_lib/api/route.ts", nextAppRoute, "/api"},
		// a project directory named app holding src/app
		{"app/src/app/api/users/route.ts", nextAppRoute, "/api/users"},
		{"apps/app/src/app/api/users/route.ts", nextAppRoute, "/api/users"},
		{"apps/web/app/api/users/route.ts", nextAppRoute, "/api/users"},
		// not routes
		{"pages/index.tsx", notNextRoute, ""},
		{"pages/api/_utils/db.ts", notNextRoute, ""},
		{"pages/api/types.d.ts", notNextRoute, ""},
		{"src/components/route.ts", notNextRoute, ""},
		{"app/api/posts/route.test.ts", notNextRoute, ""},
		{"app/api/posts/page.tsx", notNextRoute, ""},
	} {
		kind, url := nextRouteOf(c.path)
		if kind != c.kind || url != c.url {
			t.Errorf("nextRouteOf(%q) = %v %q, want %v %q", c.path, kind, url, c.kind, c.url)
		}
	}
}

func TestIsNextMiddleware(t *testing.T) {
	for p, want := range map[string]bool{
		"middleware.ts":                true,
		"src/middleware.js":            true,
		"web/middleware.ts":            true,
		"src/app/api/middleware.ts":    false,
		"pages/api/middleware.ts":      false,
		"node_modules/x/middleware.js": false,
		"src/lib/auth-middleware.ts":   false,
		"server/middleware/auth.ts":    false,
	} {
		if got := isNextMiddleware(p); got != want {
			t.Errorf("isNextMiddleware(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestNextMatcherCovers(t *testing.T) {
	for _, c := range []struct {
		source string
		url    string
		want   bool
	}{
		{"/api/:path*", "/api/users/[id]", true},
		{"/api/:path*", "/api", true},
		{"/api/:path*", "/apiary", false},
		{"/api/:path+", "/api", false},
		{"/api/:path+", "/api/a/b", true},
		{"/api/users/:id", "/api/users/[id]", true},
		{"/api/users/:id", "/api/users/[id]/roles", false},
		{"/api/users/:id?", "/api/users", true},
		{"/api/users/:id(\\d+)", "/api/users/[id]", true},
		{"/API/Admin/:rest*", "/api/admin/x", true}, // path-to-regexp is case-insensitive
		{"/dashboard/:path*", "/api/projects", false},
		{"/settings", "/settings/", true},
		{"/settings", "/settings/x", false},
		{"/((?!api|_next/static|_next/image|favicon.ico).*)", "/api/invoices", false},
		{"/((?!api|_next/static|_next/image|favicon.ico).*)", "/apiary/x", false}, // the lookahead is a prefix test, as in Next.js
		{"/((?!api|_next/static|_next/image|favicon.ico).*)", "/account/delete", true},
		{"/((?!_next/static|_next/image|favicon.ico).*)", "/api/invoices", true},
		{"/((?!.*\\.(?:png|svg)$).*)", "/api/x", true},
		{"/(api|trpc)(.*)", "/api/orders", true},
		{"/(api|trpc)(.*)", "/orders", false},
	} {
		p, ok := compileMatcher(c.source)
		if !ok {
			t.Errorf("compileMatcher(%q) failed", c.source)
			continue
		}
		m := &nextMatcher{patterns: []matcherPattern{p}}
		if got := m.covers(c.url); got != c.want {
			t.Errorf("matcher %q covers %q = %v, want %v", c.source, c.url, got, c.want)
		}
	}
}

// TestNextMatcherUnreadable: sources the reader cannot be sure of are
// refused, so that the middleware keeps covering every route.
func TestNextMatcherUnreadable(t *testing.T) {
	for _, src := range []string{
		"api/:path*",                          // Next.js requires a leading slash
		"/api/*",                              // a modifier without a parameter
		"/api/{:id}?",                         // braces
		"/:lang/((?!api).*)",                  // a lookahead after a parameter
		"/((?!_next|[^?]*\\.(?:js(?!on))).*)", // a lookahead RE2 cannot evaluate
		"/api/(unclosed",
		"/api/:",
	} {
		if _, ok := compileMatcher(src); ok {
			t.Errorf("compileMatcher(%q) succeeded, want it refused", src)
		}
	}
	var unknown *nextMatcher
	if !unknown.covers("/api/anything") {
		t.Error("an unknown matcher must cover every route")
	}
}

// FuzzNextMatcher: any matcher source compiles or is refused without a
// panic, and a compiled one answers for any route path.
func FuzzNextMatcher(f *testing.F) {
	for _, s := range []string{"/api/:path*", "/((?!api|_next/static).*)", "/(api|trpc)(.*)", "/a/:b(\\d+)?", "/((?!(", "/:x+"} {
		f.Add(s, "/api/users/[id]")
	}
	f.Fuzz(func(t *testing.T, src, url string) {
		p, ok := compileMatcher(src)
		if !ok {
			return
		}
		m := &nextMatcher{patterns: []matcherPattern{p}}
		_ = m.covers(url)
	})
}

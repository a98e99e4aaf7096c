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

package admin

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

func isWrite(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// concrete turns a route pattern into a request path.
func concrete(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") {
			parts[i] = "some-id"
		}
		if p == "*" {
			parts[i] = "no-such-thing"
		}
	}
	return strings.Join(parts, "/")
}

// TestEveryRouteNeedsCredentials enumerates every registered route: each
// one except the documented public ones answers 401 without credentials,
// and every write answers 403 to a viewer (token for the API, session for
// the UI).
func TestEveryRouteNeedsCredentials(t *testing.T) {
	e := newEnv(t, nil)
	ec, ok := e.srv.Handler().(*echo.Echo)
	if !ok {
		t.Fatalf("Handler is %T, want *echo.Echo", e.srv.Handler())
	}
	viewer := e.newBrowser()
	viewer.login("victor", e.password)
	csrf := viewer.csrf("/admin/")

	routes := ec.Routes()
	var checked, writes int
	seenPublic := map[string]bool{}
	for _, r := range routes {
		key := r.Method + " " + r.Path
		if publicRoutes[key] {
			seenPublic[key] = true
			continue
		}
		method := r.Method
		if method == echo.RouteNotFound {
			method = http.MethodGet
		}
		path := concrete(r.Path)
		checked++
		t.Run(key, func(t *testing.T) {
			var body any
			if isWrite(method) {
				body = "{}"
			}
			if code, out := e.do(method, path, "", body); code != http.StatusUnauthorized {
				t.Errorf("%s %s without credentials = %d %s, want 401", method, path, code, out)
			}
			// A wrong token is no better than none.
			if code, _ := e.do(method, path, "not-a-configured-token-at-all", body); code != http.StatusUnauthorized {
				t.Errorf("%s %s with a wrong token = %d, want 401", method, path, code)
			}
			if !isWrite(method) || viewerWrites[key] {
				return
			}
			if strings.HasPrefix(path, "/api/") {
				if code, out := e.do(method, path, e.viewerToken, body); code != http.StatusForbidden {
					t.Errorf("%s %s as viewer = %d %s, want 403", method, path, code, out)
				}
				return
			}
			resp, out := viewer.request(method, path, url.Values{"csrf": {csrf}, "reason": {"x"}}, e.ts.URL, "same-origin")
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s as viewer = %d %.200s, want 403", method, path, resp.StatusCode, out)
			}
		})
		if isWrite(method) {
			writes++
		}
	}
	// Signing out is the one write a viewer may do; it runs last because it
	// ends the session.
	resp, _ := viewer.post("/admin/logout", url.Values{"csrf": {csrf}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("viewer logout = %d, want 303", resp.StatusCode)
	}
	if resp, _ := viewer.get("/admin/"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("after logout = %d, want 401", resp.StatusCode)
	}
	if checked < 30 || writes < 12 {
		t.Errorf("checked %d routes (%d writes); the route table looks incomplete", checked, writes)
	}
	for key := range publicRoutes {
		if !seenPublic[key] {
			t.Errorf("public route %s is documented but not registered", key)
		}
	}
	if n := len(entriesOf(t, e.st)); n != 0 {
		t.Errorf("store has %d entries after refused writes, want 0", n)
	}
}

// TestRequesterRole: a requester may file requests but not decide them or
// edit lists.
func TestRequesterRole(t *testing.T) {
	e := newEnv(t, nil)
	var r struct{ ID string }
	e.mustDo(http.MethodPost, "/api/v1/requests", e.requesterToken,
		map[string]any{"ecosystem": "pypi", "name": "reqeusts", "justification": "needed"}, http.StatusCreated, &r)
	for _, tc := range []struct{ method, path string }{
		{http.MethodPost, "/api/v1/requests/" + r.ID + "/approve"},
		{http.MethodPost, "/api/v1/requests/" + r.ID + "/deny"},
		{http.MethodPost, "/api/v1/lists"},
	} {
		if code, out := e.do(tc.method, tc.path, e.requesterToken, map[string]any{"reason": "x"}); code != http.StatusForbidden {
			t.Errorf("%s %s as requester = %d %s, want 403", tc.method, tc.path, code, out)
		}
	}
	var who map[string]string
	e.mustDo(http.MethodGet, "/api/v1/whoami", e.requesterToken, nil, http.StatusOK, &who)
	if who["name"] != "token:dev" || who["role"] != "requester" {
		t.Errorf("whoami = %v", who)
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, nil)
	want := map[string]string{
		"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"X-Frame-Options":         "DENY",
	}
	check := []struct {
		handler http.Handler
		path    string
		token   string
		code    int
	}{
		{e.srv.Handler(), "/admin/login", "", http.StatusOK},
		{e.srv.Handler(), "/admin/", "", http.StatusUnauthorized},
		{e.srv.Handler(), "/admin/static/style.css", "", http.StatusOK},
		{e.srv.Handler(), "/api/v1/lists", "", http.StatusUnauthorized},
		{e.srv.Handler(), "/api/v1/lists", e.viewerToken, http.StatusOK},
		{e.srv.Handler(), "/api/v1/nothing-here", e.viewerToken, http.StatusNotFound},
		{e.srv.Handler(), "/admin/nothing-here", "", http.StatusUnauthorized},
	}
	for _, c := range check {
		req, _ := http.NewRequest(http.MethodGet, c.path, nil)
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		rec := httptest.NewRecorder()
		c.handler.ServeHTTP(rec, req)
		if rec.Code != c.code {
			t.Errorf("GET %s = %d, want %d", c.path, rec.Code, c.code)
		}
		for k, v := range want {
			if got := rec.Header().Get(k); got != v {
				t.Errorf("GET %s: %s = %q, want %q", c.path, k, got, v)
			}
		}
	}
}

func TestNewRequiresCredentials(t *testing.T) {
	e := newEnv(t, nil)
	_, err := New(Options{Store: e.st})
	if !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("New without credentials: err = %v, want ErrNoCredentials", err)
	}
	for _, want := range []string{"VIGIL_ADMIN_TOKEN", "VIGIL_ADMIN_PASSWORD_HASH", "vigil-proxy admin hash-password"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	bad := []Options{
		{Store: e.st, Tokens: []Token{{Name: "short", Role: RoleAdmin, Secret: "abc"}}},
		{Store: e.st, Tokens: []Token{{Name: "norole", Secret: randomString(24)}}},
		{Store: e.st, Users: []User{{Name: "bob", Role: RoleAdmin, PasswordHash: "plaintext"}}},
		{Store: e.st, Tokens: []Token{{Name: "ok", Role: RoleAdmin, Secret: randomString(24)}},
			Webhook: WebhookOptions{URL: "ftp://example.invalid/hook"}},
		{Tokens: []Token{{Name: "ok", Role: RoleAdmin, Secret: randomString(24)}}},
	}
	for i, o := range bad {
		if _, err := New(o); err == nil {
			t.Errorf("New(bad options %d) succeeded", i)
		}
	}
}

func TestHashPassword(t *testing.T) {
	// The production cost (12) takes tens of seconds under -race; the
	// validation and encoding are the same at the minimum cost.
	pw := randomString(12)
	h, err := hashPassword(pw, bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if err := bcrypt.CompareHashAndPassword([]byte(h), []byte(pw)); err != nil {
		t.Errorf("hash does not verify: %v", err)
	}
	if cost, err := bcrypt.Cost([]byte(h)); err != nil || cost != bcrypt.MinCost {
		t.Errorf("cost = %d, %v", cost, err)
	}
	if _, err := HashPassword("short"); err == nil {
		t.Error("HashPassword accepted a 5-character password")
	}
	if _, err := HashPassword(strings.Repeat("x", 73)); err == nil {
		t.Error("HashPassword accepted 73 bytes")
	}
}

func TestParseRole(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Role
		ok   bool
	}{{"viewer", RoleViewer, true}, {" Admin ", RoleAdmin, true}, {"requester", RoleRequester, true}, {"root", "", false}} {
		got, err := ParseRole(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseRole(%q) = %q, %v", tc.in, got, err)
		}
	}
	if RoleViewer.Allows(RoleRequester) || !RoleAdmin.Allows(RoleRequester) || Role("").Allows(RoleViewer) {
		t.Error("role order is wrong")
	}
}

func TestRulesFromCatalogue(t *testing.T) {
	settings := policy.DefaultSettings(policy.Relaxed)
	got := map[string]string{}
	for _, r := range RulesFromCatalogue(policy.Catalogue(), settings.Action) {
		if r.Description == "" || r.Title == "" {
			t.Errorf("rule %s lacks a title or description", r.ID)
		}
		got[r.ID] = r.Action
	}
	for id, want := range map[string]string{policy.RuleTooNew: "block", policy.RuleTyposquat: "warn", policy.RuleNoRepository: "off"} {
		if got[id] != want {
			t.Errorf("%s action = %q, want %q", id, got[id], want)
		}
	}
}

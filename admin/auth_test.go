package admin

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func entryForm(csrf, pattern string) url.Values {
	return url.Values{"csrf": {csrf}, "kind": {"allow"}, "ecosystem": {"pypi"},
		"pattern": {pattern}, "reason": {"vetted by security"}}
}

func TestCSRF(t *testing.T) {
	e := newEnv(t, nil)
	b := e.newBrowser()
	b.login("alice", e.password)
	token := b.csrf("/admin/lists")

	cases := []struct {
		name         string
		form         url.Values
		origin, site string
		want         int
	}{
		{"cross-site form post with a valid token", entryForm(token, "cross-site"), "http://evil.example", "cross-site", http.StatusForbidden},
		{"cross-origin Origin header only", entryForm(token, "cross-origin"), "http://evil.example", "", http.StatusForbidden},
		{"same-site but other origin", entryForm(token, "same-site"), "http://sub.example", "same-site", http.StatusForbidden},
		{"same origin without token", entryForm("", "no-token"), e.ts.URL, "same-origin", http.StatusForbidden},
		{"same origin with a wrong token", entryForm("forged-token", "wrong-token"), e.ts.URL, "same-origin", http.StatusForbidden},
		{"same origin with the token", entryForm(token, "good"), e.ts.URL, "same-origin", http.StatusSeeOther},
	}
	for _, tc := range cases {
		resp, body := b.request(http.MethodPost, "/admin/lists", tc.form, tc.origin, tc.site)
		if resp.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d (%.200s)", tc.name, resp.StatusCode, tc.want, body)
		}
	}
	var got []string
	for _, en := range entriesOf(t, e.st) {
		got = append(got, en.Pattern)
	}
	if len(got) != 1 || got[0] != "good" {
		t.Errorf("stored patterns = %v, want only [good]", got)
	}

	// A cross-origin login attempt is refused before the password is read.
	resp, _ := b.request(http.MethodPost, "/admin/login",
		url.Values{"username": {"alice"}, "password": {e.password}}, "http://evil.example", "cross-site")
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site login = %d, want 403", resp.StatusCode)
	}
}

// TestAPISessionNeedsCSRFHeader: the UI's own API calls with the session
// cookie must carry X-CSRF-Token; bearer calls need nothing more.
func TestAPISessionNeedsCSRFHeader(t *testing.T) {
	e := newEnv(t, nil)
	b := e.newBrowser()
	b.login("alice", e.password)
	token := b.csrf("/admin/lists")
	body := `{"kind":"allow","ecosystem":"npm","pattern":"left-pad","reason":"ok"}`
	send := func(csrf string) int {
		req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/api/v1/lists", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := send(""); code != http.StatusForbidden {
		t.Errorf("cookie write without X-CSRF-Token = %d, want 403", code)
	}
	if code := send(token); code != http.StatusCreated {
		t.Errorf("cookie write with X-CSRF-Token = %d, want 201", code)
	}
	e.mustDo(http.MethodPost, "/api/v1/lists", e.adminToken,
		`{"kind":"allow","ecosystem":"npm","pattern":"right-pad","reason":"ok"}`, http.StatusCreated, nil)
	if n := len(entriesOf(t, e.st)); n != 2 {
		t.Errorf("%d entries stored, want 2", n)
	}
}

func TestSessionCookie(t *testing.T) {
	for _, secure := range []bool{false, true} {
		e := newEnv(t, func(o *Options) { o.SecureCookies = secure })
		b := e.newBrowser()
		resp, _ := b.post("/admin/login", url.Values{"username": {"alice"}, "password": {e.password}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/" {
			t.Fatalf("login = %d → %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		cookies := resp.Cookies()
		if len(cookies) != 1 {
			t.Fatalf("login set %d cookies, want 1", len(cookies))
		}
		c := cookies[0]
		if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure != secure || c.Path != "/" {
			t.Errorf("secure=%v: cookie %s HttpOnly=%v SameSite=%v Secure=%v Path=%q", secure, c.Name, c.HttpOnly, c.SameSite, c.Secure, c.Path)
		}
		if secure && !strings.HasPrefix(c.Name, "__Host-") {
			t.Errorf("secure cookie name %q lacks the __Host- prefix", c.Name)
		}
		if strings.Contains(e.logBuf.String(), e.password) || strings.Contains(e.logBuf.String(), c.Value) {
			t.Error("the log contains the password or the session cookie")
		}
	}
}

func TestSessionLifecycle(t *testing.T) {
	e := newEnv(t, nil)
	b := e.newBrowser()
	if resp, body := b.get("/admin/audit"); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `name="password"`) {
		t.Fatalf("anonymous page = %d, want 401 with the login form", resp.StatusCode)
	}
	b.login("alice", e.password)
	if resp, _ := b.get("/admin/audit"); resp.StatusCode != http.StatusOK {
		t.Fatalf("after login = %d", resp.StatusCode)
	}
	// A forged cookie value is refused.
	forged := e.newBrowser()
	u, _ := url.Parse(e.ts.URL)
	forged.client.Jar.SetCookies(u, []*http.Cookie{{Name: "vigil_session", Value: "abc.def"}})
	if resp, _ := forged.get("/admin/"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("forged cookie = %d, want 401", resp.StatusCode)
	}
	// Sessions expire.
	e.clock.Add(13 * time.Hour)
	if resp, _ := b.get("/admin/"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("after 13h = %d, want 401", resp.StatusCode)
	}
	// Logout ends the session server-side.
	b.login("alice", e.password)
	csrf := b.csrf("/admin/")
	cookies := b.client.Jar.Cookies(u)
	if resp, _ := b.post("/admin/logout", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout = %d", resp.StatusCode)
	}
	replay := e.newBrowser()
	replay.client.Jar.SetCookies(u, cookies)
	if resp, _ := replay.get("/admin/"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("replayed cookie after logout = %d, want 401", resp.StatusCode)
	}
}

func TestLoginRateLimit(t *testing.T) {
	e := newEnv(t, nil)
	b := e.newBrowser()
	var codes []int
	for range 7 {
		resp, _ := b.post("/admin/login", url.Values{"username": {"alice"}, "password": {"wrong password"}})
		codes = append(codes, resp.StatusCode)
	}
	for i, c := range codes {
		want := http.StatusUnauthorized
		if i >= 5 {
			want = http.StatusTooManyRequests
		}
		if c != want {
			t.Errorf("attempt %d = %d, want %d (all: %v)", i+1, c, want, codes)
		}
	}
	// Even the right password waits for the bucket to refill.
	resp, _ := b.post("/admin/login", url.Values{"username": {"alice"}, "password": {e.password}})
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("correct password while limited = %d, want 429", resp.StatusCode)
	}
	e.clock.Add(time.Minute)
	b.login("alice", e.password)
}

func TestLoginRedirectStaysOnAdmin(t *testing.T) {
	for _, tc := range []struct{ next, want string }{
		{"/admin/audit?kind=admin", "/admin/audit?kind=admin"},
		{"https://evil.example/", "/admin/"},
		{"//evil.example/admin/", "/admin/"},
		{"/admin//evil.example", "/admin/"},
		{"/admin/login", "/admin/"},
		{"", "/admin/"},
	} {
		if got := safeNext(tc.next); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.next, got, tc.want)
		}
	}
}

func TestBearerTokenParsing(t *testing.T) {
	e := newEnv(t, nil)
	for _, tc := range []struct {
		header string
		want   int
	}{
		{"Bearer " + e.viewerToken, http.StatusOK},
		{"bearer " + e.viewerToken, http.StatusOK},
		{"Basic " + e.viewerToken, http.StatusUnauthorized},
		{"Bearer", http.StatusUnauthorized},
		{"Bearer " + e.viewerToken + "x", http.StatusUnauthorized},
	} {
		req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/api/v1/whoami", nil)
		req.Header.Set("Authorization", tc.header)
		resp, err := e.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("Authorization %.12q… = %d, want %d", tc.header, resp.StatusCode, tc.want)
		}
		if tc.want == http.StatusUnauthorized && !bytes.Contains(body, []byte(`"error"`)) {
			t.Errorf("401 body %s is not a JSON error", body)
		}
	}
}

// TestTrustedOrigin: behind a proxy that rewrites Host, an old browser's
// Origin-only form post is accepted from a configured origin only.
func TestTrustedOrigin(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.TrustedOrigins = []string{"https://admin.example"} })
	b := e.newBrowser()
	b.login("alice", e.password)
	token := b.csrf("/admin/lists")
	for _, tc := range []struct {
		origin string
		want   int
	}{{"https://other.example", http.StatusForbidden}, {"https://admin.example", http.StatusSeeOther}} {
		resp, _ := b.request(http.MethodPost, "/admin/lists", entryForm(token, "from-proxy"), tc.origin, "")
		if resp.StatusCode != tc.want {
			t.Errorf("Origin %s = %d, want %d", tc.origin, resp.StatusCode, tc.want)
		}
	}
	if _, err := New(Options{Store: e.st, Tokens: []Token{{Name: "x", Role: RoleAdmin, Secret: randomString(24)}},
		TrustedOrigins: []string{"not an origin"}}); err == nil {
		t.Error("New accepted a malformed trusted origin")
	}
}

package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
	"github.com/vigil-proxy/vigil-proxy/store/boltstore"
)

// testClock is an adjustable clock shared by the server, the store and the
// checker.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// engineChecker judges a fixed set of packages with a real policy.Engine
// over the merged lists, as the proxy's checker does with upstream data.
type engineChecker struct {
	engine *policy.Engine
	pkgs   map[string]*policy.Package
	now    func() time.Time
}

func (c *engineChecker) Check(ctx context.Context, eco policy.Ecosystem, name, version string) (policy.Report, error) {
	pkg, ok := c.pkgs[string(eco)+":"+name]
	if !ok {
		pkg = &policy.Package{Ecosystem: eco, Name: name}
	}
	if version == "" {
		d, err := c.engine.EvaluatePackage(ctx, pkg, c.now())
		if err != nil {
			return policy.Report{}, err
		}
		return d.Report(), nil
	}
	rel := pkg.Release(version)
	if rel == nil {
		rel = &policy.Release{Version: version}
	}
	d, err := c.engine.EvaluateArtifact(ctx, pkg, rel, nil, c.now())
	if err != nil {
		return policy.Report{}, err
	}
	return d.Report(), nil
}

// freshPackage is a PyPI package first published yesterday: DEP-002 blocks
// it under the default strategy.
func freshPackage(name string, now time.Time) *policy.Package {
	pub := now.Add(-24 * time.Hour)
	return &policy.Package{
		Ecosystem: policy.PyPI, Name: name, Exists: true, Created: pub,
		Repositories: []string{"https://github.com/example/" + name},
		Releases: []policy.Release{{Version: "1.0.0", Published: pub,
			Files: []policy.File{{Name: name + "-1.0.0.tar.gz", Uploaded: pub, Size: 1000}}}},
		Signals: policy.Signals{WeeklyDownloads: -1},
	}
}

type env struct {
	t      testing.TB
	srv    *Server
	st     store.Store
	lists  *store.Lists
	clock  *testClock
	ts     *httptest.Server
	logBuf *syncBuffer

	// Credentials, random per test.
	adminToken, viewerToken, requesterToken, password string
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// newEnv starts the admin handler over a boltstore in a temp dir, with an
// admin user, a viewer user and admin, requester and viewer tokens.
func newEnv(t testing.TB, mod func(*Options)) *env {
	t.Helper()
	clock := &testClock{t: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)}
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "vigil.db"), boltstore.Options{Now: clock.Now})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	lists := store.NewLists(nil, st, time.Hour)
	bindings, err := policy.CoreRules(policy.DefaultSettings(policy.DefaultStrategy), nil)
	if err != nil {
		t.Fatalf("core rules: %v", err)
	}
	checker := &engineChecker{
		engine: policy.NewEngine(bindings, lists),
		pkgs:   map[string]*policy.Package{"pypi:reqeusts": freshPackage("reqeusts", clock.Now())},
		now:    clock.Now,
	}
	hash := func(pw string) string {
		h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		return string(h)
	}
	logBuf := &syncBuffer{}
	e := &env{t: t, st: st, lists: lists, clock: clock, logBuf: logBuf,
		adminToken: randomString(24), viewerToken: randomString(24), requesterToken: randomString(24),
		password: randomString(12)}
	opts := Options{
		Store: st, Lists: lists, Checker: checker,
		Policy: func() PolicyView {
			return PolicyView{Strategy: string(policy.DefaultStrategy), Rules: RulesFromBindings(bindings)}
		},
		Users: []User{
			{Name: "alice", Role: RoleAdmin, PasswordHash: hash(e.password)},
			{Name: "victor", Role: RoleViewer, PasswordHash: hash(e.password)},
			{Name: "rita", Role: RoleRequester, PasswordHash: hash(e.password)},
		},
		Tokens: []Token{
			{Name: "ops", Role: RoleAdmin, Secret: e.adminToken},
			{Name: "dash", Role: RoleViewer, Secret: e.viewerToken},
			{Name: "dev", Role: RoleRequester, Secret: e.requesterToken},
		},
		Logger: slog.New(slog.NewTextHandler(logBuf, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:    clock.Now,
	}
	if mod != nil {
		mod(&opts)
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.srv = srv
	e.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(e.ts.Close)
	return e
}

// do sends a request with an optional bearer token and JSON body and
// returns the status and body.
func (e *env) do(method, path, token string, body any) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, out
}

// mustDo is do that fails the test unless the status is want, and decodes
// the body into v when v is not nil.
func (e *env) mustDo(method, path, token string, body any, want int, v any) {
	e.t.Helper()
	code, out := e.do(method, path, token, body)
	if code != want {
		e.t.Fatalf("%s %s = %d %s, want %d", method, path, code, out, want)
	}
	if v != nil {
		if err := json.Unmarshal(out, v); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, out, err)
		}
	}
}

// recordBlock stores a decision event as the proxy would after refusing a
// download.
func (e *env) recordBlock(name, version string) store.Event {
	e.t.Helper()
	ev := store.Event{Kind: store.KindDecision, Time: e.clock.Now(), Ecosystem: policy.PyPI,
		Package: name, Version: version, File: name + "-" + version + ".tar.gz", Verdict: "block",
		Rules: []string{policy.RuleTooNew}, Reason: "first published 1 day ago", Client: "pip/24.0",
		Route: "file"}
	if err := e.st.RecordEvents(context.Background(), ev); err != nil {
		e.t.Fatal(err)
	}
	evs, _, err := e.st.Events(context.Background(), store.EventQuery{Kind: store.KindDecision, Package: name, Limit: 1})
	if err != nil || len(evs) == 0 {
		e.t.Fatalf("read back event: %v %v", evs, err)
	}
	return evs[0]
}

// browser is a cookie-keeping client that behaves like a same-origin
// browser form submission.
type browser struct {
	e      *env
	client *http.Client
}

func (e *env) newBrowser() *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	c := e.ts.Client()
	cl := &http.Client{Transport: c.Transport, Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &browser{e: e, client: cl}
}

// request sends a browser-like request; origin "" omits Origin and
// Sec-Fetch-Site.
func (b *browser) request(method, path string, form url.Values, origin, site string) (*http.Response, string) {
	b.e.t.Helper()
	var rd io.Reader
	if form != nil {
		rd = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.e.ts.URL+path, rd)
	if err != nil {
		b.e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if site != "" {
		req.Header.Set("Sec-Fetch-Site", site)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	return resp, string(body)
}

func (b *browser) get(path string) (*http.Response, string) {
	return b.request(http.MethodGet, path, nil, "", "")
}

// post submits a form the way a same-origin page does.
func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	return b.request(http.MethodPost, path, form, b.e.ts.URL, "same-origin")
}

func (b *browser) login(user, pw string) {
	b.e.t.Helper()
	resp, body := b.post("/admin/login", url.Values{"username": {user}, "password": {pw}, "next": {"/admin/"}})
	if resp.StatusCode != http.StatusSeeOther {
		b.e.t.Fatalf("login %s = %d %s", user, resp.StatusCode, body)
	}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf fetches a page and returns the form token on it.
func (b *browser) csrf(path string) string {
	b.e.t.Helper()
	resp, body := b.get(path)
	m := csrfField.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		b.e.t.Fatalf("GET %s = %d, no csrf field: %.300s", path, resp.StatusCode, body)
	}
	return m[1]
}

func entriesOf(t testing.TB, st store.Store) []policy.ListEntry {
	t.Helper()
	es, err := st.Entries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func eventCount(t *testing.T, st store.Store, kind string) int {
	t.Helper()
	evs, _, err := st.Events(context.Background(), store.EventQuery{Kind: kind, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

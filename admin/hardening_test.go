package admin

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// TestLoginRateLimitIgnoresSpoofedForwardedFor: behind a trusted proxy, a
// client on a private network cannot escape the login limiter by prepending
// made-up addresses to X-Forwarded-For; only the entry the proxy appended
// counts.
func TestLoginRateLimitIgnoresSpoofedForwardedFor(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.TrustProxyHeaders = true })
	login := func(xff string) int {
		form := url.Values{"username": {"alice"}, "password": {"wrong password"}}
		req, err := http.NewRequest(http.MethodPost, e.ts.URL+"/admin/login", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", xff)
		resp, err := e.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	var codes []int
	for i := range 7 {
		// The attacker (10.0.0.5) forges the first entry; the proxy appends
		// the address it saw.
		codes = append(codes, login(fmt.Sprintf("198.51.100.%d, 10.0.0.5", i+1)))
	}
	want := []int{401, 401, 401, 401, 401, 429, 429}
	if diff := cmp.Diff(want, codes); diff != "" {
		t.Errorf("status codes (-want +got):\n%s", diff)
	}
	// Another client behind the same proxy has its own bucket.
	if code := login("10.0.0.6"); code != http.StatusUnauthorized {
		t.Errorf("other client = %d, want 401", code)
	}
}

// slowRequestsStore widens the window between the duplicate check and the
// write of a new request, as a loaded database would.
type slowRequestsStore struct{ store.Store }

func (s slowRequestsStore) Requests(ctx context.Context, status string) ([]store.Request, error) {
	time.Sleep(20 * time.Millisecond)
	return s.Store.Requests(ctx, status)
}

// TestConcurrentDuplicateRequests: simultaneous requests for one package
// leave exactly one pending request.
func TestConcurrentDuplicateRequests(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Store = slowRequestsStore{o.Store} })
	var wg sync.WaitGroup
	codes := make(chan int, 8)
	for range 8 {
		wg.Go(func() {
			code, _ := e.do(http.MethodPost, "/api/v1/requests", e.requesterToken,
				map[string]any{"ecosystem": "pypi", "name": "reqeusts", "justification": "needed"})
			codes <- code
		})
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	if diff := cmp.Diff(map[int]int{201: 1, 409: 7}, count); diff != "" {
		t.Errorf("status counts (-want +got):\n%s", diff)
	}
	rs, err := e.st.Requests(context.Background(), store.RequestPending)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 {
		t.Errorf("%d pending requests, want 1", len(rs))
	}
}

// TestRequestFromEventValidatesName: a request filed from a recorded event
// gets the same name checks as a typed one, so approving it can never
// create a glob entry such as "*" that allows everything.
func TestRequestFromEventValidatesName(t *testing.T) {
	e := newEnv(t, nil)
	for _, name := range []string{"*", "req*", "a b"} {
		ev := store.Event{Kind: store.KindDecision, Time: e.clock.Now(), Ecosystem: policy.PyPI,
			Package: name, Verdict: "block", Rules: []string{policy.RuleTooNew}, Reason: "x"}
		if err := e.st.RecordEvents(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
		evs, _, err := e.st.Events(context.Background(), store.EventQuery{Kind: store.KindDecision, Limit: 1})
		if err != nil || len(evs) == 0 || evs[0].Package != name {
			t.Fatalf("read back event %q: %v %v", name, evs, err)
		}
		code, body := e.do(http.MethodPost, "/api/v1/requests", e.requesterToken,
			map[string]any{"event_id": evs[0].ID, "justification": "needed"})
		if code != http.StatusBadRequest {
			t.Errorf("request from event for %q = %d %s, want 400", name, code, body)
		}
	}
	rs, err := e.st.Requests(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 0 {
		t.Errorf("%d requests stored, want 0: %+v", len(rs), rs)
	}
}
func TestLoginClientAddress(t *testing.T) {
	for _, tc := range []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"public peer ignores header", "203.0.113.9:1234", []string{"10.0.0.5"}, "203.0.113.9"},
		{"no header", "127.0.0.1:1234", nil, "127.0.0.1"},
		{"last entry of proxy", "127.0.0.1:1234", []string{"1.1.1.1, 10.0.0.5"}, "10.0.0.5"},
		{"last of several headers", "10.1.1.1:1234", []string{"1.1.1.1", "192.0.2.7"}, "192.0.2.7"},
		{"bracketed IPv6", "[::1]:1234", []string{"[2001:db8::1]"}, "2001:db8::1"},
		{"garbage falls back to peer", "127.0.0.1:1234", []string{"1.1.1.1, not-an-ip"}, "127.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &http.Request{RemoteAddr: tc.remote, Header: http.Header{}}
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := proxiedIP(r); got != tc.want {
				t.Errorf("proxiedIP = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestQueryValidationMessages: bad audit queries are 400s that say what is
// wrong, and invalid input is echoed back bounded.
func TestQueryValidationMessages(t *testing.T) {
	e := newEnv(t, nil)
	for _, tc := range []struct {
		path, want string
	}{
		{"/api/v1/events?cursor=zz", "cursor"},
		{"/api/v1/events?since=2026-01-02&until=2025-01-01", "since is after until"},
		{"/api/v1/package?ecosystem=pypi&name=reqeusts&version=" + strings.Repeat("x", 5000), "invalid version"},
	} {
		code, body := e.do(http.MethodGet, tc.path, e.viewerToken, nil)
		if code != http.StatusBadRequest || !strings.Contains(string(body), tc.want) {
			t.Errorf("GET %.60s = %d %.200s, want 400 mentioning %q", tc.path, code, body, tc.want)
		}
		if len(body) > 300 {
			t.Errorf("GET %.60s: %d-byte error echoes the input", tc.path, len(body))
		}
	}
}

// TestLoginReplacesSession: signing in again (e.g. as another user) ends the
// session the browser had, so its cookie cannot be replayed.
func TestLoginReplacesSession(t *testing.T) {
	e := newEnv(t, nil)
	b := e.newBrowser()
	b.login("alice", e.password)
	u, err := url.Parse(e.ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	old := b.client.Jar.Cookies(u)
	if len(old) == 0 {
		t.Fatal("no session cookie after login")
	}
	resp, body := b.post("/admin/login", url.Values{"username": {"victor"}, "password": {e.password}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second login = %d %s", resp.StatusCode, body)
	}
	if resp, _ := b.get("/admin/"); resp.StatusCode != http.StatusOK {
		t.Errorf("new session = %d, want 200", resp.StatusCode)
	}
	replay := e.newBrowser()
	replay.client.Jar.SetCookies(u, old)
	if resp, _ := replay.get("/admin/"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("admin session after signing in as viewer = %d, want 401", resp.StatusCode)
	}
}

// TestAuditUntilDateIsInclusive: the UI's date fields mean whole days, so
// since=until=today finds today's events.
func TestAuditUntilDateIsInclusive(t *testing.T) {
	e := newEnv(t, nil)
	e.recordBlock("reqeusts", "1.0.0") // 2026-11-21 09:00 UTC
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"since=2026-11-21&until=2026-11-21", 1},
		{"until=2026-11-20", 0},
		{"until=2026-11-21T09:00:00Z", 0}, // a full time stays exclusive
		{"until=2026-11-21T09:00:01Z", 1},
	} {
		var got struct{ Events []store.Event }
		e.mustDo(http.MethodGet, "/api/v1/events?kind=decision&"+tc.query, e.viewerToken, nil, http.StatusOK, &got)
		if len(got.Events) != tc.want {
			t.Errorf("%s: %d events, want %d", tc.query, len(got.Events), tc.want)
		}
	}
}

// TestLoginRateLimitIPv6Prefix: an IPv6 client owns a whole /64, so the
// limiter counts per /64, not per address.
func TestLoginRateLimitIPv6Prefix(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.TrustProxyHeaders = true })
	var codes []int
	for i := range 7 {
		form := url.Values{"username": {"alice"}, "password": {"wrong password"}}
		req, err := http.NewRequest(http.MethodPost, e.ts.URL+"/admin/login", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("2001:db8:1:2::%x", i+1))
		resp, err := e.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		codes = append(codes, resp.StatusCode)
	}
	if diff := cmp.Diff([]int{401, 401, 401, 401, 401, 429, 429}, codes); diff != "" {
		t.Errorf("status codes (-want +got):\n%s", diff)
	}
	for _, tc := range []struct{ ip, want string }{
		{"192.0.2.7", "192.0.2.7"},
		{"2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"},
		{"::ffff:192.0.2.7", "192.0.2.7"},
		{"not an ip", "not an ip"},
		{"fe80::1%eth0", "fe80::/64"},
	} {
		if got := limiterKey(tc.ip); got != tc.want {
			t.Errorf("limiterKey(%q) = %q, want %q", tc.ip, got, tc.want)
		}
	}
}

// TestWebhookNeedsSecret: an unsigned webhook (empty HMAC key) could be
// forged by anyone who can reach the receiver, so New refuses it.
func TestWebhookNeedsSecret(t *testing.T) {
	e := newEnv(t, nil)
	_, err := New(Options{Store: e.st, Tokens: []Token{{Name: "ops", Role: RoleAdmin, Secret: e.adminToken}},
		Webhook: WebhookOptions{URL: "https://hooks.example/x"}})
	if err == nil || !strings.Contains(err.Error(), "VIGIL_WEBHOOK_SECRET") {
		t.Errorf("New with a webhook and no secret = %v, want an error naming VIGIL_WEBHOOK_SECRET", err)
	}
}

// TestPanicIsInternalError: a panic in a handler or a hook answers 500
// "internal error" (no stack trace, no dropped connection) and is logged.
func TestPanicIsInternalError(t *testing.T) {
	e := newEnv(t, func(o *Options) {
		o.Policy = func() PolicyView { panic("policy source broke at /etc/secret/path") }
	})
	code, body := e.do(http.MethodGet, "/api/v1/policy", e.viewerToken, nil)
	if code != http.StatusInternalServerError || string(body) != "{\"error\":\"internal error\"}\n" {
		t.Errorf("GET /api/v1/policy = %d %q, want 500 internal error", code, body)
	}
	if !strings.Contains(e.logBuf.String(), "policy source broke") {
		t.Errorf("panic not logged:\n%s", e.logBuf.String())
	}
}

type panickyChecker struct{ Checker }

func (c panickyChecker) Check(ctx context.Context, eco policy.Ecosystem, name, version string) (policy.Report, error) {
	if name == "boom" {
		panic("checker bug")
	}
	return c.Checker.Check(ctx, eco, name, version)
}

// TestPackageLookupSurvivesCheckerPanic: a panicking Checker is a 502 with
// a generic message (no stack trace), logged, and the server keeps serving.
func TestPackageLookupSurvivesCheckerPanic(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Checker = panickyChecker{o.Checker} })
	code, body := e.do(http.MethodGet, "/api/v1/package?ecosystem=pypi&name=boom", e.viewerToken, nil)
	if code != http.StatusBadGateway || strings.Contains(string(body), "checker bug") || strings.Contains(string(body), "goroutine") {
		t.Errorf("panicking lookup = %d %s, want a 502 with a generic error", code, body)
	}
	var rep policy.Report
	e.mustDo(http.MethodGet, "/api/v1/package?ecosystem=pypi&name=reqeusts", e.viewerToken, nil, http.StatusOK, &rep)
	if rep.Name != "reqeusts" || rep.Verdict != policy.Block {
		t.Errorf("next lookup = %+v, want the normal block report", rep)
	}
	if !strings.Contains(e.logBuf.String(), "checker bug") {
		t.Errorf("panic not logged:\n%s", e.logBuf.String())
	}
}

// countingChecker records how many checks run at once.
type countingChecker struct {
	mu        sync.Mutex
	now, peak int
}

func (c *countingChecker) Check(ctx context.Context, eco policy.Ecosystem, name, version string) (policy.Report, error) {
	c.mu.Lock()
	c.now++
	c.peak = max(c.peak, c.now)
	c.mu.Unlock()
	time.Sleep(2 * time.Millisecond)
	c.mu.Lock()
	c.now--
	c.mu.Unlock()
	return policy.Report{Ecosystem: eco, Name: name, Verdict: policy.Allow, Findings: []policy.Finding{}}, nil
}

// Concurrent package lookups never run more than checkSlots checks at
// once, so admin users cannot flood upstream.
func TestPackageLookupBoundsConcurrentChecks(t *testing.T) {
	cc := &countingChecker{}
	e := newEnv(t, func(o *Options) { o.Checker = cc })
	var wg sync.WaitGroup
	for i := range 4 * checkSlots {
		wg.Go(func() {
			code, body := e.do(http.MethodGet, fmt.Sprintf("/api/v1/package?ecosystem=pypi&name=pkg-%d", i), e.viewerToken, nil)
			if code != http.StatusOK {
				t.Errorf("lookup status %d %s", code, body)
			}
		})
	}
	wg.Wait()
	if cc.peak > checkSlots || cc.peak == 0 {
		t.Errorf("peak concurrent checks = %d, want 1..%d", cc.peak, checkSlots)
	}
}

func TestStatsReportCacheHitRatio(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.CacheHitRatio = func() float64 { return 0.75 } })
	var st StatsView
	e.mustDo(http.MethodGet, "/api/v1/stats", e.adminToken, nil, http.StatusOK, &st)
	if st.CacheHitRatio != 0.75 {
		t.Errorf("cache_hit_ratio = %v, want 0.75", st.CacheHitRatio)
	}
}

// Upstream health is in the statistics API and on the dashboard.
func TestUpstreamHealthShown(t *testing.T) {
	since := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	e := newEnv(t, func(o *Options) {
		o.Upstreams = func() []UpstreamView {
			return []UpstreamView{{Name: "pypi.org", OK: false, Since: since, Cause: "unreachable (DNS)", Failures: 7},
				{Name: "registry.npmjs.org", OK: true, Since: since}}
		}
	})
	var st StatsView
	e.mustDo(http.MethodGet, "/api/v1/stats", e.adminToken, nil, http.StatusOK, &st)
	if len(st.Upstreams) != 2 || st.Upstreams[0].OK || st.Upstreams[0].Cause != "unreachable (DNS)" || !st.Upstreams[1].OK {
		t.Errorf("stats upstreams = %+v", st.Upstreams)
	}
	b := e.newBrowser()
	b.login("alice", e.password)
	_, body := b.get("/admin/")
	if !strings.Contains(body, "failing: unreachable (DNS) (7 failed requests)") || !strings.Contains(body, "registry.npmjs.org") {
		t.Errorf("dashboard lacks the upstream health:\n%s", body)
	}
}

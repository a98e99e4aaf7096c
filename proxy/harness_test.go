package proxy_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/policy/names"
	"github.com/vigil-proxy/vigil-proxy/proxy"
	"github.com/vigil-proxy/vigil-proxy/proxy/artifactcache"
	"github.com/vigil-proxy/vigil-proxy/proxy/metacache"
	"github.com/vigil-proxy/vigil-proxy/proxy/rendercache"
	"github.com/vigil-proxy/vigil-proxy/proxy/upstream"
	"github.com/vigil-proxy/vigil-proxy/store"
	"github.com/vigil-proxy/vigil-proxy/store/boltstore"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// memEvents records events synchronously for assertions.
type memEvents struct {
	mu  sync.Mutex
	evs []store.Event
}

func (m *memEvents) Record(ev store.Event) {
	m.mu.Lock()
	m.evs = append(m.evs, ev)
	m.mu.Unlock()
}

func (m *memEvents) find(pkg, verdict string) []store.Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.Event
	for _, ev := range m.evs {
		if ev.Package == pkg && (verdict == "" || ev.Verdict == verdict) {
			out = append(out, ev)
		}
	}
	return out
}

// env is one proxy under test with its collaborators.
type env struct {
	t      testing.TB
	srv    *httptest.Server
	proxy  *proxy.Server
	cache  *metacache.Cache
	store  *boltstore.Store
	events *memEvents
	clock  *clock
	// artifacts is the artifact cache (nil unless enabled) in artifactDir.
	artifacts   *artifactcache.Disk
	artifactDir string
	// rendered is the rendered-response cache (nil with noRendered).
	rendered *rendercache.Cache
	// lists are the engine's lists (config entries and the store's).
	lists *store.Lists
}

type envOptions struct {
	pypiUpstream string
	pypiFiles    []string
	npmUpstream  string
	npmTarballs  []string
	lists        []policy.ListEntry
	private      []string
	maxDocument  int64
	timeout      time.Duration
	strategy     policy.Strategy
	hideMode     string
	metrics      bool
	// names adds the typosquat rule over the embedded corpus, and the
	// look-alike hook, to the engine.
	names bool
	// trustForwarded honours X-Forwarded-*; npmAuth is sent upstream.
	trustForwarded bool
	npmAuth        string
	// npmHostAuth are other tarball hosts' credentials.
	npmHostAuth []proxy.HostAuthorization
	// malware is MAL-001's known-malware feed.
	malware policy.MalwareFeed
	// noHiddenHints turns off pnpm's and yarn's explanations of hidden
	// versions (npm.pnpm_hidden_tags, npm.yarn_hidden_deprecated).
	noHiddenHints bool
	// npmAllowMissingDigest serves tarballs without any digest.
	npmAllowMissingDigest bool
	// pypiAllowMissingDigest serves files without a sha256.
	pypiAllowMissingDigest bool
	// logger receives the proxy's log (discarded when nil).
	logger *slog.Logger
	// artifactBytes, when positive, enables the artifact cache with this
	// budget; offline sets upstream.offline.
	artifactBytes int64
	offline       bool
	// noRendered runs without the rendered-response cache (every response
	// judged and rendered afresh); renderedMemory bounds one in-memory
	// entry (default: the cache's).
	noRendered     bool
	renderedMemory int64
	// listStore, when set, holds the stored list entries instead of the
	// env's own bbolt store (a shared PostgreSQL store), reread every
	// listsTTL (default 1 ms).
	listStore store.ListStore
	listsTTL  time.Duration
	// signals is the popularity source (nil: unknown).
	signals proxy.SignalSource
	// watch, when set, is the watchlist instead of the env's bbolt store.
	watch store.WatchStore
	// requestBodyTimeout bounds reading a request body (default: the
	// proxy's).
	requestBodyTimeout time.Duration
}

func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	dir := t.TempDir()
	clk := &clock{t: time.Now().UTC()}
	if o.timeout == 0 {
		o.timeout = 5 * time.Second
	}
	if o.maxDocument == 0 {
		o.maxDocument = 64 << 20
	}
	if o.strategy == "" {
		o.strategy = policy.DefaultStrategy
	}
	st, err := boltstore.Open(filepath.Join(dir, "store.db"), boltstore.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	cache, err := metacache.Open(metacache.Options{
		Path: filepath.Join(dir, "cache.db"), TTL: time.Minute, NegativeTTL: 30 * time.Second,
		Grace: time.Hour, FetchTimeout: o.timeout, Now: clk.Now,
	})
	if err != nil {
		t.Fatalf("open cache: %v", err)
	}
	t.Cleanup(func() { cache.Close() })
	client := upstream.New(upstream.Options{
		ConnectTimeout: time.Second, ResponseHeaderTimeout: o.timeout, DocumentTimeout: o.timeout,
		MaxDocumentBytes: o.maxDocument, UserAgent: "vigil-proxy-test",
	})
	settings := policy.DefaultSettings(o.strategy)
	settings.Malware = o.malware
	bindings, err := policy.CoreRules(settings, nil)
	if err != nil {
		t.Fatal(err)
	}
	var lookalike func(policy.Ecosystem, string) (string, bool)
	if o.names {
		ix := embeddedIndex(t)
		bindings = append(bindings, policy.Binding{Rule: names.TyposquatRule(ix), Action: settings.Action(policy.RuleTyposquat)})
		lookalike = func(eco policy.Ecosystem, name string) (string, bool) {
			m, ok := ix.Typosquat(eco, name)
			return m.Target, ok
		}
	}
	var listStore store.ListStore = st
	if o.listStore != nil {
		listStore = o.listStore
	}
	if o.listsTTL == 0 {
		o.listsTTL = time.Millisecond
	}
	lists := store.NewLists(o.lists, listStore, o.listsTTL)
	engine := policy.NewEngine(bindings, lists)
	mustURL := func(raw string) *url.URL {
		if raw == "" {
			raw = "http://127.0.0.1:1"
		}
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	fileHosts, err := upstream.ParseHosts(o.pypiFiles)
	if err != nil {
		t.Fatal(err)
	}
	tarHosts, err := upstream.ParseHosts(o.npmTarballs)
	if err != nil {
		t.Fatal(err)
	}
	events := &memEvents{}
	var metrics *proxy.Metrics
	if o.metrics {
		metrics = proxy.NewMetrics(cache, nil)
	}
	e := &env{t: t, cache: cache, store: st, events: events, clock: clk, lists: lists}
	var artifacts artifactcache.Store
	if o.artifactBytes > 0 {
		e.artifactDir = filepath.Join(dir, "artifacts")
		e.artifacts, err = artifactcache.Open(artifactcache.Options{Dir: e.artifactDir, MaxBytes: o.artifactBytes})
		if err != nil {
			t.Fatal(err)
		}
		artifacts = e.artifacts
	}
	var rendered *rendercache.Cache
	var freshen func(context.Context) error
	if !o.noRendered {
		rendered, err = rendercache.Open(rendercache.Options{Dir: filepath.Join(dir, "rendered"), MaxEntryMemory: o.renderedMemory})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { rendered.Close() })
		lists.SetOnChange(rendered.Bump)
		freshen = lists.Refresh
		e.rendered = rendered
	}
	var watch store.WatchStore = st
	if o.watch != nil {
		watch = o.watch
	}
	e.srv = httptest.NewUnstartedServer(nil)
	public := mustURL("http://" + e.srv.Listener.Addr().String())
	p, err := proxy.New(proxy.Options{
		PublicURL:      public,
		TrustForwarded: o.trustForwarded,
		Engine:         engine,
		Upstream:       client,
		Cache:          cache,
		PyPI:           proxy.PyPIOptions{Upstream: mustURL(o.pypiUpstream), FileHosts: fileHosts, HideMode: o.hideMode, AllowMissingDigest: o.pypiAllowMissingDigest},
		NPM: proxy.NPMOptions{Upstream: mustURL(o.npmUpstream), TarballHosts: tarHosts, Private: o.private,
			DeprecateWarnings: true, Authorization: o.npmAuth, HostAuthorization: o.npmHostAuth, AllowMissingDigest: o.npmAllowMissingDigest,
			PnpmHiddenTags: !o.noHiddenHints, YarnHiddenDeprecated: !o.noHiddenHints},
		Events:    events,
		Watch:     watch,
		Metrics:   metrics,
		Lookalike: lookalike,
		Signals:   o.signals,
		Artifacts: artifacts,
		Offline:   o.offline,
		Rendered:  rendered,
		// The lists reread the store after their TTL and report changes.
		RenderedFreshen:    freshen,
		Logger:             o.logger,
		Now:                clk.Now,
		RequestBodyTimeout: o.requestBodyTimeout,
	})
	if err != nil {
		t.Fatalf("proxy.New: %v", err)
	}
	e.proxy = p
	if f, ok := o.malware.(*swappableFeed); ok {
		f.onChange = p.InvalidateRendered // as the feed's OnChange does in production
	}
	e.srv.Config.Handler = p.Handler()
	e.srv.Start()
	t.Cleanup(e.srv.Close)
	return e
}

// get sends a GET with optional headers ("Key: value").
func (e *env) get(path string, headers ...string) *http.Response {
	e.t.Helper()
	return e.do(http.MethodGet, path, headers...)
}

func (e *env) do(method, path string, headers ...string) *http.Response {
	e.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, e.srv.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

// body reads and closes the response body.
func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(b)
}

func wantStatus(t *testing.T, resp *http.Response, want int) string {
	t.Helper()
	b := body(t, resp)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %q, want %d; body: %s", resp.Request.Method, resp.Request.URL.Path, resp.Status, want, b)
	}
	return b
}

var embeddedIndexOnce = sync.OnceValues(func() (*names.Index, error) {
	c, err := names.LoadEmbedded()
	if err != nil {
		return nil, err
	}
	return names.NewIndex(c), nil
})

// embeddedIndex builds the typosquat index once per test binary.
func embeddedIndex(t testing.TB) *names.Index {
	t.Helper()
	ix, err := embeddedIndexOnce()
	if err != nil {
		t.Fatalf("load embedded corpus: %v", err)
	}
	return ix
}

package proxy_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/proxy"
	"github.com/vigil-proxy/vigil-proxy/proxy/metacache"
	"github.com/vigil-proxy/vigil-proxy/proxy/upstream"
)

// /readyz is unauthenticated: it reports not-ready without the internal
// error (file paths, store details), which goes to the log instead.
func TestReadyzHidesInternalError(t *testing.T) {
	cache, err := metacache.Open(metacache.Options{Path: filepath.Join(t.TempDir(), "cache.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	up, _ := url.Parse("http://127.0.0.1:1")
	p, err := proxy.New(proxy.Options{
		Engine: policy.NewEngine(nil, nil), Upstream: upstream.New(upstream.Options{}), Cache: cache,
		PyPI: proxy.PyPIOptions{Upstream: up}, NPM: proxy.NPMOptions{Upstream: up},
		Ready: func(context.Context) error {
			return errors.New("read /var/lib/vigil/store.db: input/output error")
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	p.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status = %d, want 503", rec.Code)
	}
	if strings.Contains(string(body), "store.db") || !strings.Contains(string(body), "not ready") {
		t.Errorf("body = %q: want a not-ready answer without internal details", body)
	}
}

// A /readyz that keeps failing for the same reason (a load balancer probes
// it every 2 s) is logged once per 30 s, and again at once when the reason
// changes.
func TestReadyzLogsAFailureOncePerCause(t *testing.T) {
	cache, err := metacache.Open(metacache.Options{Path: filepath.Join(t.TempDir(), "cache.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	up, _ := url.Parse("http://127.0.0.1:1")
	var logs strings.Builder
	clk := &clock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	cause := errors.New("lists: database unreachable")
	p, err := proxy.New(proxy.Options{
		Engine: policy.NewEngine(nil, nil), Upstream: upstream.New(upstream.Options{}), Cache: cache,
		PyPI: proxy.PyPIOptions{Upstream: up}, NPM: proxy.NPMOptions{Upstream: up},
		Ready:  func(context.Context) error { return cause },
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Now:    clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	probe := func() {
		rec := httptest.NewRecorder()
		p.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		if rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("status = %d, want 503", rec.Code)
		}
	}
	reports := func() int { return strings.Count(logs.String(), `msg="not ready"`) }
	for range 10 {
		probe()
		clk.Advance(2 * time.Second)
	}
	if n := reports(); n != 1 {
		t.Errorf("10 probes in 20 s: %d reports, want 1:\n%s", n, logs.String())
	}
	clk.Advance(15 * time.Second)
	probe()
	if n := reports(); n != 2 {
		t.Errorf("a probe 32 s after the first report: %d reports, want 2", n)
	}
	cause = errors.New("malware feed: no index yet")
	probe()
	if n := reports(); n != 3 || !strings.Contains(logs.String(), "malware feed") {
		t.Errorf("a new cause: %d reports, want 3 with the new cause:\n%s", n, logs.String())
	}
}

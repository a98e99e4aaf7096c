package proxy_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

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

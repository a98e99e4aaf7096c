package proxy_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzRoutes sends arbitrary request paths to the registry handler with an
// unreachable upstream: nothing may panic, no 500 may come back, and a
// rejected path never names anything outside the proxy.
func FuzzRoutes(f *testing.F) {
	for _, seed := range []string{
		"/pypi/simple/requests/", "/pypi/simple/Req_uests", "/pypi/simple/../../etc/passwd/",
		"/pypi/pypi/x/1.0/json", "/pypi/files/x/x-1.0.whl.metadata", "/pypi/files/%2e%2e/a",
		"/npm/@scope%2fname", "/npm/@scope%2Fname/-/name-1.0.0.tgz", "/npm/%40s%2f..", "/npm/a/-/",
		"/npm/-/ping", "/npm/-/whoami", "/npm/x/latest", "/npm/@/", "/npm/" + strings.Repeat("a", 300),
		"/api/v1/check/pypi/x", "/healthz", "/",
	} {
		f.Add(seed)
	}
	e := newEnv(f, envOptions{
		pypiUpstream: "http://127.0.0.1:1", pypiFiles: []string{"127.0.0.1:1"},
		npmUpstream: "http://127.0.0.1:1", npmTarballs: []string{"127.0.0.1:1"},
		timeout: 200 * time.Millisecond,
	})
	f.Fuzz(func(t *testing.T, path string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t#?") {
			return
		}
		req := httptest.NewRequest(http.MethodGet, "http://proxy.test/", nil)
		req.URL.Path = path
		req.URL.RawPath = path
		if _, err := http.NewRequest(http.MethodGet, "http://proxy.test"+path, nil); err != nil {
			return
		}
		rec := httptest.NewRecorder()
		e.proxy.Handler().ServeHTTP(rec, req)
		if rec.Code == http.StatusInternalServerError {
			t.Fatalf("GET %q: 500 %s", path, rec.Body.String())
		}
		if strings.Contains(rec.Body.String(), "goroutine ") {
			t.Fatalf("GET %q leaked a stack trace", path)
		}
	})
}

package proxy_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/vigil-proxy/vigil-proxy/npm/npmtest"
	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
)

// Methods a read-only registry route does not serve get an accurate answer:
// OPTIONS a 204 naming the allowed methods, anything else a 405 with an
// Allow header and a message naming what the route answers. Only writes
// hear about publishing; TRACE and OPTIONS never do.
func TestRegistryRoutesAnswerUnservedMethods(t *testing.T) {
	npmFake := npmtest.NewServer(t, npmFixtures()...)
	pypiFake := pypitest.NewServer(t, fixtures()...)
	e := newEnv(t, envOptions{
		npmUpstream: npmFake.URL, npmTarballs: []string{npmFake.TarballHost()},
		pypiUpstream: pypiFake.URL, pypiFiles: []string{pypiFake.FilesHost()},
	})
	read := "GET, HEAD, OPTIONS"
	for _, tc := range []struct {
		method, path string
		status       int
		allow        string
		text         string // the body says this
		notText      string // and never this
	}{
		{http.MethodOptions, "/npm/mature-lib", http.StatusNoContent, read, "", ""},
		{http.MethodTrace, "/npm/mature-lib", http.StatusMethodNotAllowed, read, "answers GET, HEAD, OPTIONS, not TRACE", "publish"},
		{http.MethodPut, "/npm/mature-lib", http.StatusMethodNotAllowed, read, "publishing", ""},
		{http.MethodDelete, "/npm/mature-lib/-/mature-lib-1.0.0.tgz", http.StatusMethodNotAllowed, read, "unpublishing", ""},
		{http.MethodOptions, "/npm/", http.StatusNoContent, read, "", ""},
		{http.MethodPost, "/npm/", http.StatusMethodNotAllowed, read, "answers GET, HEAD, OPTIONS, not POST", ""},
		{http.MethodDelete, "/npm/-/ping", http.StatusMethodNotAllowed, read, "answers GET, HEAD, OPTIONS, not DELETE", ""},
		{http.MethodTrace, "/npm/-/ping", http.StatusMethodNotAllowed, read, "not TRACE", "publish"},
		{http.MethodOptions, "/npm/-/npm/v1/security/advisories/bulk", http.StatusNoContent, "POST, OPTIONS", "", ""},
		{http.MethodGet, "/npm/-/npm/v1/security/audits", http.StatusMethodNotAllowed, "POST, OPTIONS", "answers POST, OPTIONS, not GET", ""},
		{http.MethodTrace, "/npm/-/package/mature-lib/dist-tags", http.StatusMethodNotAllowed, read, "not TRACE", "publish"},
		{http.MethodOptions, "/pypi/simple/requests/", http.StatusNoContent, read, "", ""},
		{http.MethodTrace, "/pypi/simple/requests/", http.StatusMethodNotAllowed, read, "answers GET, HEAD, OPTIONS, not TRACE", "upload"},
		{http.MethodPost, "/pypi/simple/", http.StatusMethodNotAllowed, read, "uploads go to your upstream index", ""},
		{http.MethodTrace, "/pypi/files/requests/requests-2.31.0-py3-none-any.whl", http.StatusMethodNotAllowed, read, "not TRACE", ""},
		{http.MethodOptions, "/api/v1/check/npm/mature-lib", http.StatusNoContent, read, "", ""},
		{http.MethodTrace, "/api/v1/check/npm/mature-lib", http.StatusMethodNotAllowed, read, "not TRACE", ""},
		{http.MethodOptions, "/api/v1/check", http.StatusNoContent, "GET, HEAD, POST, OPTIONS", "", ""},
		{http.MethodTrace, "/api/v1/check", http.StatusMethodNotAllowed, "GET, HEAD, POST, OPTIONS", "not TRACE", ""},
		// Methods outside the router's own list (WebDAV, made-up ones) get
		// the same accurate answer, not the router's list of every method.
		{"FOO", "/npm/mature-lib", http.StatusMethodNotAllowed, read, "answers GET, HEAD, OPTIONS, not FOO", ""},
		{"MKCOL", "/npm/", http.StatusMethodNotAllowed, read, "not MKCOL", ""},
		{"FOO", "/pypi/simple/requests/", http.StatusMethodNotAllowed, read, "answers GET, HEAD, OPTIONS, not FOO", ""},
		{"FOO", "/pypi", http.StatusMethodNotAllowed, read, "not FOO", ""},
		{"FOO", "/api/v1/check/npm/mature-lib", http.StatusMethodNotAllowed, read, "not FOO", ""},
		{"FOO", "/api/v1/check", http.StatusMethodNotAllowed, "GET, HEAD, POST, OPTIONS", "not FOO", ""},
	} {
		resp := e.do(tc.method, tc.path)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: status %d, want %d (body %q)", tc.method, tc.path, resp.StatusCode, tc.status, body)
		}
		if got := resp.Header.Get("Allow"); got != tc.allow {
			t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.path, got, tc.allow)
		}
		if tc.text != "" && !strings.Contains(string(body), tc.text) {
			t.Errorf("%s %s: body %q, want it to say %q", tc.method, tc.path, body, tc.text)
		}
		if tc.notText != "" && strings.Contains(string(body), tc.notText) {
			t.Errorf("%s %s: body %q talks about %q", tc.method, tc.path, body, tc.notText)
		}
		if tc.status == http.StatusNoContent && len(body) != 0 {
			t.Errorf("%s %s: 204 with a body %q", tc.method, tc.path, body)
		}
	}
}

// An npm endpoint the proxy does not serve at all is a 404 for every method
// but a write, which hears why the proxy takes no writes.
func TestNPMUnservedEndpointMethods(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{})
	for _, tc := range []struct {
		method, path string
		status       int
		text         string
	}{
		{http.MethodOptions, "/npm/-/whoami", http.StatusNotFound, "does not serve /npm/-/whoami"},
		{http.MethodTrace, "/npm/-/v1/search", http.StatusNotFound, "search is not proxied"},
		{http.MethodPut, "/npm/-/user/org.couchdb.user:x", http.StatusMethodNotAllowed, "does not accept PUT"},
	} {
		b := wantStatus(t, e.do(tc.method, tc.path), tc.status)
		if !strings.Contains(b, tc.text) {
			t.Errorf("%s %s: body %q, want it to say %q", tc.method, tc.path, b, tc.text)
		}
	}
}

// Health probes and the index page answer HEAD as well as GET (load
// balancers probe with either).
func TestProbeRoutesAnswerHEAD(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{metrics: true})
	for _, p := range []string{"/healthz", "/readyz", "/", "/metrics"} {
		resp := e.do(http.MethodHead, p)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("HEAD %s: %d, want 200", p, resp.StatusCode)
		}
	}
}

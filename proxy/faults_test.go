package proxy_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
)

// TestPyPIUpstreamFaults: every upstream failure ends in a clear error
// (fail closed) and never in served content or a crash.
func TestPyPIUpstreamFaults(t *testing.T) {
	bigDoc := []byte(`{"meta":{"api-version":"1.1"},"name":"mature-pkg","files":[],"x":"` + strings.Repeat("a", 3<<20) + `"}`)
	cases := []struct {
		name   string
		fault  pypitest.Fault
		status int
		text   string
	}{
		{"500", pypitest.Fault{Status: 500}, http.StatusBadGateway, "answered 500 and no cached copy"},
		{"timeout", pypitest.Fault{Delay: 30 * time.Second}, http.StatusBadGateway, ""},
		{"reset", pypitest.Fault{ResetConnection: true}, http.StatusBadGateway, "reset the connection and no cached copy"},
		{"truncated", pypitest.Fault{Truncate: true}, http.StatusBadGateway, "failed and no cached copy"},
		{"malformed", pypitest.Fault{Body: []byte(`{"meta": {"api-version": "1.1"}, "files": [`), ContentType: "application/vnd.pypi.simple.v1+json"}, http.StatusBadGateway, "upstream failed"},
		{"oversized", pypitest.Fault{Body: bigDoc, ContentType: "application/vnd.pypi.simple.v1+json"}, http.StatusBadGateway, "size limit"},
		{"gzip bomb", pypitest.Fault{GzipBomb: true, GzipBombSize: 64 << 20}, http.StatusBadGateway, "size limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Only the timeout case needs a short upstream timeout. The
			// others assert their own failure ("size limit", "reset"…),
			// which a loaded machine did not reach within 500 ms (the
			// gzip bomb then failed as "timed out").
			timeout := 30 * time.Second
			if tc.fault.Delay > 0 {
				timeout = 500 * time.Millisecond
			}
			e, fake := newPyPIEnv(t, envOptions{maxDocument: 1 << 20, timeout: timeout})
			fake.SetFault("/simple/mature-pkg/", tc.fault)
			resp := e.get("/pypi/simple/mature-pkg/", "Accept: "+pipAccept)
			b := body(t, resp)
			if resp.StatusCode < 500 {
				t.Fatalf("status %s, want a 5xx; body %q", resp.Status, b)
			}
			if tc.text != "" && !strings.Contains(b, tc.text) {
				t.Errorf("body %q does not say %q", b, tc.text)
			}
			if strings.Contains(b, "goroutine") || strings.Contains(b, ".go:") {
				t.Errorf("body leaks internals: %q", b)
			}
			// The proxy is still healthy afterwards.
			wantStatus(t, e.get("/healthz"), http.StatusOK)
		})
	}
}

func TestPyPIStaleIfError(t *testing.T) {
	e, fake := newPyPIEnv(t, envOptions{timeout: 30 * time.Second}) // the first fetch must succeed on a loaded machine
	wantStatus(t, e.get("/pypi/simple/mature-pkg/", "Accept: "+pipAccept), http.StatusOK)
	fake.SetFault("/simple/mature-pkg/", pypitest.Fault{Status: 503})
	fake.SetFault("/pypi/mature-pkg/json", pypitest.Fault{Status: 503})

	e.clock.Advance(2 * time.Minute) // expired, within grace
	resp := e.get("/pypi/simple/mature-pkg/", "Accept: "+pipAccept)
	b := wantStatus(t, resp, http.StatusOK)
	if !strings.Contains(b, "mature_pkg-1.1.0") || !strings.Contains(resp.Header.Get("Warning"), "served from cache") {
		t.Errorf("stale copy not served with a warning: %q / %q", resp.Header.Get("Warning"), b)
	}

	e.clock.Advance(2 * time.Hour) // beyond grace: fail closed
	wantStatus(t, e.get("/pypi/simple/mature-pkg/", "Accept: "+pipAccept), http.StatusBadGateway)
}

func TestPyPICorruptFileIsRefused(t *testing.T) {
	e, fake := newPyPIEnv(t, envOptions{})
	f := fake.Files("mature-pkg")[0]
	fake.SetFault(f.Path, pypitest.Fault{CorruptFile: true})
	resp := e.get("/pypi/files/mature-pkg/" + f.Filename)
	b := wantStatus(t, resp, http.StatusBadGateway)
	if !strings.Contains(resp.Status, "integrity check") || !strings.Contains(b, "sha256 mismatch") {
		t.Errorf("status %q body %q, want the integrity failure explained", resp.Status, b)
	}
}

func TestPyPIFileOnForeignHostRefused(t *testing.T) {
	fake := pypitest.NewServer(t, fixtures()...)
	// Only files.pythonhosted.org is allowed; the fake serves its own files.
	e := newEnv(t, envOptions{pypiUpstream: fake.URL, pypiFiles: []string{"files.pythonhosted.org"}})
	f := fake.Files("mature-pkg")[0]
	before := fake.Requests(f.Path)
	resp := e.get("/pypi/files/mature-pkg/" + f.Filename)
	b := wantStatus(t, resp, http.StatusBadGateway)
	if !strings.Contains(b, "not allowed") {
		t.Errorf("body = %q, want it to say the host is not allowed", b)
	}
	if fake.Requests(f.Path) != before {
		t.Errorf("the proxy fetched a file from a host that is not allowed")
	}
}

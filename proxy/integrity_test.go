package proxy_test

import (
	"crypto/sha1" //nolint:gosec // legacy npm shasum, what the test exercises
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/npm/npmtest"
	"github.com/vigil-proxy/vigil-proxy/proxy"
	"github.com/vigil-proxy/vigil-proxy/proxy/upstream"
	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
)

// A file host that answers a plain download with 206 cannot get partial,
// unverified bytes served: the proxy refuses with an explained 502.
func TestPartialUpstreamAnswerIsRefused(t *testing.T) {
	t.Run("pypi", func(t *testing.T) {
		e, fake := newPyPIEnv(t, envOptions{})
		f := fake.Files("mature-pkg")[0]
		fake.SetFault(f.Path, pypitest.Fault{Status: http.StatusPartialContent, Body: []byte("PK\x03\x04 the first bytes only")})
		resp := e.get("/pypi/files/mature-pkg/" + f.Filename)
		b := wantStatus(t, resp, http.StatusBadGateway)
		if !strings.Contains(resp.Status, "answered with 206") || strings.Contains(b, "first bytes only") {
			t.Errorf("status %q body %q: want an explained 502 and none of the bytes", resp.Status, b)
		}
	})
	t.Run("npm", func(t *testing.T) {
		e, fake := newNPMEnv(t, envOptions{})
		fake.SetFault("/mature-lib/-/mature-lib-1.1.0.tgz", npmtest.Fault{Status: http.StatusPartialContent, Body: []byte("\x1f\x8b partial")})
		resp := e.get("/npm/mature-lib/-/mature-lib-1.1.0.tgz")
		b := wantStatus(t, resp, http.StatusBadGateway)
		if !strings.Contains(resp.Status, "answered with 206") || strings.Contains(b, "partial") && !strings.Contains(b, "vigil-proxy") {
			t.Errorf("status %q body %q: want an explained 502", resp.Status, b)
		}
	})
}

// fakeTarballRegistry serves one npm package whose single version has the
// given dist fields, and its tarball.
func fakeTarballRegistry(t *testing.T, tgz []byte, dist func(base string) map[string]string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var tarballGets atomic.Int64
	var srv *httptest.Server
	old := time.Now().Add(-400 * day).UTC().Format(time.RFC3339)
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/legacy":
			d := dist(srv.URL)
			if d["tarball"] == "" {
				d["tarball"] = srv.URL + "/legacy/-/legacy-1.0.0.tgz"
			}
			doc := map[string]any{
				"name": "legacy", "dist-tags": map[string]string{"latest": "1.0.0"},
				"repository": map[string]string{"type": "git", "url": ghRepo},
				"versions": map[string]any{"1.0.0": map[string]any{"name": "legacy", "version": "1.0.0", "dist": d,
					"repository": map[string]string{"type": "git", "url": ghRepo}}},
				"time": map[string]string{"created": old, "modified": old, "1.0.0": old},
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(doc)
		case "/legacy/-/legacy-1.0.0.tgz":
			tarballGets.Add(1)
			_, _ = w.Write(tgz)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &tarballGets
}

// Tarball digests: a legacy sha1 shasum is verified; a malformed
// dist.integrity, or no digest at all, fails closed unless the operator
// allows missing digests.
func TestNPMTarballDigests(t *testing.T) {
	tgz, err := npmtest.BuildTarball("legacy", "1.0.0", nil)
	if err != nil {
		t.Fatal(err)
	}
	sha1sum := sha1.Sum(tgz) //nolint:gosec // legacy npm shasum
	sha512sum := sha512.Sum512(tgz)
	goodSHA1 := hex.EncodeToString(sha1sum[:])
	goodSRI := "sha512-" + base64.StdEncoding.EncodeToString(sha512sum[:])
	cases := []struct {
		name        string
		dist        map[string]string
		allowNone   bool
		status      int
		wantInPhase string // in the reason phrase
	}{
		{"sha1 shasum only, matching", map[string]string{"shasum": goodSHA1}, false, http.StatusOK, ""},
		{"sha1 shasum only, not matching", map[string]string{"shasum": strings.Repeat("ab", 20)}, false, http.StatusBadGateway, "integrity check"},
		{"integrity, matching", map[string]string{"integrity": goodSRI}, false, http.StatusOK, ""},
		{"md5 integrity", map[string]string{"integrity": "md5-" + base64.StdEncoding.EncodeToString(make([]byte, 16)), "shasum": goodSHA1}, false, http.StatusBadGateway, "dist.integrity"},
		{"unparseable integrity", map[string]string{"integrity": "sha512-%%%not base64%%%"}, false, http.StatusBadGateway, "dist.integrity"},
		{"no digest", map[string]string{}, false, http.StatusBadGateway, "npm.require_digest"},
		{"no digest, allowed", map[string]string{}, true, http.StatusOK, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, gets := fakeTarballRegistry(t, tgz, func(string) map[string]string {
				d := map[string]string{}
				for k, v := range tc.dist {
					d[k] = v
				}
				return d
			})
			e := newEnv(t, envOptions{npmUpstream: srv.URL, npmTarballs: []string{strings.TrimPrefix(srv.URL, "http://")}, npmAllowMissingDigest: tc.allowNone})
			resp := e.get("/npm/legacy/-/legacy-1.0.0.tgz")
			b := wantStatus(t, resp, tc.status)
			if tc.status == http.StatusOK && b != string(tgz) {
				t.Errorf("served %d bytes, want the %d-byte tarball", len(b), len(tgz))
			}
			if tc.wantInPhase != "" && !strings.Contains(resp.Status, tc.wantInPhase) {
				t.Errorf("status %q, want it to mention %q", resp.Status, tc.wantInPhase)
			}
			if tc.status != http.StatusOK && strings.Contains(b, string(tgz[:16])) {
				t.Errorf("refusal body carries tarball bytes")
			}
			if strings.Contains(tc.wantInPhase, "require_digest") || strings.Contains(tc.wantInPhase, "dist.integrity") {
				if n := gets.Load(); n != 0 {
					t.Errorf("tarball fetched %d times although it could not be verified", n)
				}
			}
		})
	}
}

// A PyPI index page that gives no sha256 for a file: refused unless the
// operator allows missing digests (pypi.require_digest: false).
func TestPyPIFileWithoutDigest(t *testing.T) {
	for _, allow := range []bool{false, true} {
		e, fake := newPyPIEnv(t, envOptions{pypiAllowMissingDigest: allow})
		f := fake.Files("mature-pkg")[0]
		page := `<!DOCTYPE html><html><body><a href="` + f.URL + `">` + f.Filename + `</a></body></html>`
		fake.SetFault("/simple/mature-pkg/", pypitest.Fault{Body: []byte(page), ContentType: "text/html"})
		resp := e.get("/pypi/files/mature-pkg/" + f.Filename)
		if allow {
			if b := wantStatus(t, resp, http.StatusOK); int64(len(b)) != f.Size {
				t.Errorf("allowed: served %d bytes, want %d", len(b), f.Size)
			}
			continue
		}
		wantStatus(t, resp, http.StatusBadGateway)
		if !strings.Contains(resp.Status, "pypi.require_digest") {
			t.Errorf("status %q, want it to name pypi.require_digest", resp.Status)
		}
	}
}

// cdnSetup is an npm registry whose tarball lives on a second host (a
// CDN) that records the Authorization it receives.
type cdnSetup struct {
	regURL, cdnHost string
	cdnAuth         *atomic.Value
}

func newCDNSetup(t *testing.T) cdnSetup {
	t.Helper()
	tgz, err := npmtest.BuildTarball("legacy", "1.0.0", nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha512.Sum512(tgz)
	cdnAuth := &atomic.Value{}
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cdnAuth.Store(r.Header.Get("Authorization"))
		_, _ = w.Write(tgz)
	}))
	t.Cleanup(cdn.Close)
	reg, _ := fakeTarballRegistry(t, tgz, func(string) map[string]string {
		return map[string]string{"integrity": "sha512-" + base64.StdEncoding.EncodeToString(sum[:]), "tarball": cdn.URL + "/legacy/-/legacy-1.0.0.tgz"}
	})
	return cdnSetup{regURL: reg.URL, cdnHost: strings.TrimPrefix(cdn.URL, "http://"), cdnAuth: cdnAuth}
}

// The upstream token goes to the upstream registry's own host only, never
// to another allowed tarball host (npm scopes tokens per registry).
func TestNPMTokenOnlyToUpstreamHost(t *testing.T) {
	c := newCDNSetup(t)
	e := newEnv(t, envOptions{npmUpstream: c.regURL, npmAuth: "Bearer upstream-token",
		npmTarballs: []string{strings.TrimPrefix(c.regURL, "http://"), c.cdnHost}})
	wantStatus(t, e.get("/npm/legacy/-/legacy-1.0.0.tgz"), http.StatusOK)
	if got, _ := c.cdnAuth.Load().(string); got != "" {
		t.Errorf("the other tarball host received Authorization %q, want none", got)
	}
}

// A second tarball host with its own credentials (VIGIL_NPM_HOST_TOKENS)
// gets exactly those; the upstream token still never leaves the upstream.
func TestNPMHostTokenOnlyToItsHost(t *testing.T) {
	c := newCDNSetup(t)
	hosts, err := upstream.ParseHosts([]string{c.cdnHost})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, envOptions{npmUpstream: c.regURL, npmAuth: "Bearer upstream-token",
		npmHostAuth: []proxy.HostAuthorization{{Host: hosts, Value: "Bearer cdn-token"}},
		npmTarballs: []string{strings.TrimPrefix(c.regURL, "http://"), c.cdnHost}})
	wantStatus(t, e.get("/npm/legacy/-/legacy-1.0.0.tgz"), http.StatusOK)
	if got, _ := c.cdnAuth.Load().(string); got != "Bearer cdn-token" {
		t.Errorf("the CDN received Authorization %q, want its own token", got)
	}
}

package proxy_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/npm/npmtest"
	"github.com/vigil-proxy/vigil-proxy/policy"
)

const matureTarball = "/mature-lib/-/mature-lib-1.1.0.tgz"

// cachedFiles lists the artifact cache directory.
func cachedFiles(t *testing.T, e *env) []string {
	t.Helper()
	des, err := os.ReadDir(e.artifactDir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, de := range des {
		out = append(out, de.Name())
	}
	return out
}

func wantTarball(t *testing.T, fake *npmtest.Server, got string) {
	t.Helper()
	tgz, _, _, ok := fake.Tarball("mature-lib", "1.1.0")
	if !ok {
		t.Fatal("fixture tarball missing")
	}
	if !bytes.Equal([]byte(got), tgz) {
		t.Fatalf("served %d bytes, want the %d-byte upstream tarball", len(got), len(tgz))
	}
}

// A warm tarball is served from the artifact cache with no upstream
// request at all, with Range and conditional requests answered locally.
func TestNPMWarmTarballMakesNoUpstreamRequest(t *testing.T) {
	e, fake := newNPMEnv(t, envOptions{artifactBytes: 1 << 30, metrics: true})
	cold := e.get("/npm" + matureTarball)
	wantTarball(t, fake, wantStatus(t, cold, http.StatusOK))
	if n := len(cachedFiles(t, e)); n != 1 {
		t.Fatalf("%d files cached after the first download, want 1", n)
	}
	before := fake.TotalRequests()
	warm := e.get("/npm" + matureTarball)
	wantTarball(t, fake, wantStatus(t, warm, http.StatusOK))
	if got := fake.TotalRequests() - before; got != 0 {
		t.Errorf("warm tarball made %d upstream requests, want 0", got)
	}
	if warm.Header.Get("X-Vigil-Cache") != "hit" || warm.Header.Get("Warning") != "" {
		t.Errorf("warm headers: X-Vigil-Cache %q Warning %q", warm.Header.Get("X-Vigil-Cache"), warm.Header.Get("Warning"))
	}
	tgz, _, _, _ := fake.Tarball("mature-lib", "1.1.0")
	part := e.get("/npm"+matureTarball, "Range: bytes=2-9")
	if b := wantStatus(t, part, http.StatusPartialContent); b != string(tgz[2:10]) {
		t.Errorf("range body %q, want %q", b, tgz[2:10])
	}
	etag := warm.Header.Get("ETag")
	if etag == "" {
		t.Fatal("warm tarball has no ETag")
	}
	wantStatus(t, e.get("/npm"+matureTarball, "If-None-Match: "+etag), http.StatusNotModified)
	if got := fake.TotalRequests() - before; got != 0 {
		t.Errorf("range and conditional requests made %d upstream requests, want 0", got)
	}
	m := body(t, e.get("/metrics"))
	for _, line := range []string{"vigil_artifact_cache_hits_total 3", "vigil_artifact_cache_misses_total 1", "vigil_artifact_cache_files 1"} {
		if !strings.Contains(m, line+"\n") {
			t.Errorf("metrics lack %q", line)
		}
	}
}

func TestPyPIWarmWheelMakesNoUpstreamRequest(t *testing.T) {
	e, fake := newPyPIEnv(t, envOptions{artifactBytes: 1 << 30})
	f := fake.Files("mature-pkg")[0]
	p := "/pypi/files/mature-pkg/" + f.Filename
	cold := wantStatus(t, e.get(p), http.StatusOK)
	before := fake.TotalRequests()
	warm := e.get(p)
	if b := wantStatus(t, warm, http.StatusOK); b != cold || int64(len(b)) != f.Size {
		t.Errorf("warm body %d bytes, cold %d, upstream %d", len(b), len(cold), f.Size)
	}
	if got := fake.TotalRequests() - before; got != 0 {
		t.Errorf("warm wheel made %d upstream requests, want 0", got)
	}
	if n := fake.Requests(f.Path); n != 1 {
		t.Errorf("upstream saw %d requests for the wheel, want 1", n)
	}
}

// A package denied after its tarball was cached is refused on the very
// next tarball request: the cache never bypasses the judgement.
func TestDenyAfterCachingRefusesTarball(t *testing.T) {
	e, fake := newNPMEnv(t, envOptions{artifactBytes: 1 << 30})
	wantTarball(t, fake, wantStatus(t, e.get("/npm"+matureTarball), http.StatusOK))
	if _, err := e.store.PutEntry(context.Background(), policy.ListEntry{Kind: policy.Deny,
		Ecosystem: policy.NPM, Pattern: "mature-lib", Reason: "compromised maintainer account", Source: "api", Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond) // the lists' reload interval is 1 ms
	b := wantStatus(t, e.get("/npm"+matureTarball), http.StatusForbidden)
	if !strings.Contains(b, "compromised maintainer account") {
		t.Errorf("refusal body %q, want the deny reason", b)
	}
}

// A cached file that was changed on disk is detected (size on read, hash
// on scrub), discarded and fetched again; its bad bytes are never served.
func TestCorruptedCachedTarballIsRefetched(t *testing.T) {
	for _, tc := range []struct {
		name    string
		corrupt func([]byte) []byte
		scrub   bool
	}{
		{"truncated, caught on read", func(b []byte) []byte { return b[:len(b)/2] }, false},
		{"same size, caught by scrub", func(b []byte) []byte {
			c := bytes.Clone(b)
			c[len(c)/2] ^= 0xff
			return c
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, fake := newNPMEnv(t, envOptions{artifactBytes: 1 << 30})
			wantTarball(t, fake, wantStatus(t, e.get("/npm"+matureTarball), http.StatusOK))
			files := cachedFiles(t, e)
			if len(files) != 1 {
				t.Fatalf("cached files %v, want 1", files)
			}
			p := filepath.Join(e.artifactDir, files[0])
			orig, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, tc.corrupt(orig), 0o600); err != nil {
				t.Fatal(err)
			}
			if tc.scrub {
				if _, discarded, err := e.artifacts.Scrub(context.Background()); err != nil || discarded != 1 {
					t.Fatalf("Scrub discarded %d, %v; want 1", discarded, err)
				}
			}
			wantTarball(t, fake, wantStatus(t, e.get("/npm"+matureTarball), http.StatusOK))
			if n := fake.Requests(matureTarball); n != 2 {
				t.Errorf("upstream tarball requests %d, want 2 (refetched after the corruption)", n)
			}
			if s := e.artifacts.Stats(); s.Discarded != 1 || s.Files != 1 {
				t.Errorf("cache stats %+v, want 1 discarded and the refetched file stored", s)
			}
		})
	}
}

// A download that fails verification is never cached.
func TestMismatchedTarballIsNotCached(t *testing.T) {
	e, fake := newNPMEnv(t, envOptions{artifactBytes: 1 << 30})
	fake.SetFault(matureTarball, npmtest.Fault{CorruptTarball: true})
	wantStatus(t, e.get("/npm"+matureTarball), http.StatusBadGateway)
	if got := cachedFiles(t, e); len(got) != 0 {
		t.Errorf("cache holds %v after a failed verification", got)
	}
}

// With the upstream down, a cached tarball is still served (and says it is
// stale); one that is not cached fails with the reason.
func TestUpstreamOutageServesCachedTarball(t *testing.T) {
	e, fake := newNPMEnv(t, envOptions{artifactBytes: 1 << 30})
	wantTarball(t, fake, wantStatus(t, e.get("/npm"+matureTarball), http.StatusOK))
	tgz, _, _, _ := fake.Tarball("mature-lib", "1.1.0")
	fake.Close()
	e.clock.Advance(2 * time.Minute) // past the metadata TTL, within grace
	resp := e.get("/npm" + matureTarball)
	if b := wantStatus(t, resp, http.StatusOK); b != string(tgz) {
		t.Errorf("served %d bytes, want the cached %d", len(b), len(tgz))
	}
	if w := resp.Header.Get("Warning"); !strings.HasPrefix(w, "110 ") {
		t.Errorf("Warning %q, want 110 (stale)", w)
	}
	b := wantStatus(t, e.get("/npm/mature-lib/-/mature-lib-1.0.0.tgz"), http.StatusBadGateway)
	if !strings.Contains(b, "upstream") {
		t.Errorf("cold tarball during the outage: body %q, want the upstream failure named", b)
	}
}

// Offline mode serves cached content only, without a single upstream
// request; misses get an explained 503.
func TestOfflineServesOnlyCachedContent(t *testing.T) {
	e, fake := newNPMEnv(t, envOptions{artifactBytes: 1 << 30})
	wantTarball(t, fake, wantStatus(t, e.get("/npm"+matureTarball), http.StatusOK))
	e.proxy.SetOffline(true)
	e.clock.Advance(2 * time.Minute)
	before := fake.TotalRequests()
	resp := e.get("/npm" + matureTarball)
	wantTarball(t, fake, wantStatus(t, resp, http.StatusOK))
	if w := resp.Header.Get("Warning"); !strings.HasPrefix(w, "110 ") {
		t.Errorf("Warning %q, want 110", w)
	}
	b := wantStatus(t, e.get("/npm/mature-lib/-/mature-lib-1.0.0.tgz"), http.StatusServiceUnavailable)
	if !strings.Contains(b, "upstream.offline") {
		t.Errorf("uncached tarball offline: body %q, want upstream.offline named", b)
	}
	b = wantStatus(t, e.get("/npm/fresh-lib"), http.StatusServiceUnavailable)
	if !strings.Contains(b, "upstream.offline") {
		t.Errorf("uncached packument offline: body %q, want upstream.offline named", b)
	}
	audit := e.do(http.MethodPost, "/npm/-/npm/v1/security/advisories/bulk", "Content-Type: application/json")
	if b := wantStatus(t, audit, http.StatusServiceUnavailable); !strings.Contains(b, "upstream.offline") {
		t.Errorf("npm audit offline: body %q, want upstream.offline named", b)
	}
	if got := fake.TotalRequests() - before; got != 0 {
		t.Errorf("offline mode made %d upstream requests, want 0", got)
	}
}

// An admin purge removes one package's cached files: the next download
// goes upstream again; other packages stay cached.
func TestPurgeArtifactsOfOnePackage(t *testing.T) {
	e, fake := newNPMEnv(t, envOptions{artifactBytes: 1 << 30})
	wantTarball(t, fake, wantStatus(t, e.get("/npm"+matureTarball), http.StatusOK))
	wantStatus(t, e.get("/npm/mature-lib/-/mature-lib-1.0.0.tgz"), http.StatusOK)
	wantStatus(t, e.get("/npm/@scope/thing/-/thing-3.0.0.tgz"), http.StatusOK)
	n, err := e.proxy.PurgeArtifacts(context.Background(), policy.NPM, "mature-lib")
	if err != nil || n != 2 {
		t.Fatalf("PurgeArtifacts = %d, %v; want 2 files", n, err)
	}
	if got := cachedFiles(t, e); len(got) != 1 {
		t.Errorf("cache holds %v after the purge, want only @scope/thing's tarball", got)
	}
	wantTarball(t, fake, wantStatus(t, e.get("/npm"+matureTarball), http.StatusOK))
	if n := fake.Requests(matureTarball); n != 2 {
		t.Errorf("upstream tarball requests %d, want 2 (fetched again after the purge)", n)
	}
}

func TestPurgePyPIArtifacts(t *testing.T) {
	e, fake := newPyPIEnv(t, envOptions{artifactBytes: 1 << 30})
	f := fake.Files("mature-pkg")[0]
	wantStatus(t, e.get("/pypi/files/mature-pkg/"+f.Filename), http.StatusOK)
	n, err := e.proxy.PurgeArtifacts(context.Background(), policy.PyPI, "Mature_Pkg")
	if err != nil || n != 1 || len(cachedFiles(t, e)) != 0 {
		t.Fatalf("PurgeArtifacts = %d, %v, files left %v; want 1 removed, none left", n, err, cachedFiles(t, e))
	}
	if _, err := e.proxy.PurgeArtifacts(context.Background(), policy.PyPI, "../etc"); err == nil {
		t.Error("purge of an invalid name succeeded")
	}
}

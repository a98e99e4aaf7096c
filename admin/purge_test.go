package admin

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/npm/npmtest"
	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/proxy"
	"github.com/vigil-proxy/vigil-proxy/proxy/artifactcache"
	"github.com/vigil-proxy/vigil-proxy/proxy/metacache"
	"github.com/vigil-proxy/vigil-proxy/proxy/upstream"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// cachingProxy is a real registry proxy with an artifact cache in front of
// a fake npm registry, whose mature-lib 1.0.0 tarball is already cached.
type cachingProxy struct {
	proxy   *proxy.Server
	fake    *npmtest.Server
	tarball string // proxy URL of the cached tarball
}

func newCachingProxy(t *testing.T) *cachingProxy {
	t.Helper()
	old := time.Now().Add(-400 * 24 * time.Hour)
	fake := npmtest.NewServer(t, npmtest.Package{Name: "mature-lib", Created: old,
		Repository: "git+https://github.com/example/mature-lib.git",
		Versions:   []npmtest.Version{{Version: "1.0.0", Published: old}}})
	dir := t.TempDir()
	cache, err := metacache.Open(metacache.Options{Path: filepath.Join(dir, "cache.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cache.Close() })
	arts, err := artifactcache.Open(artifactcache.Options{Dir: filepath.Join(dir, "artifacts"), MaxBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	bindings, err := policy.CoreRules(policy.DefaultSettings(policy.DefaultStrategy), nil)
	if err != nil {
		t.Fatal(err)
	}
	up, _ := url.Parse(fake.URL)
	hosts, err := upstream.ParseHosts([]string{fake.TarballHost()})
	if err != nil {
		t.Fatal(err)
	}
	p, err := proxy.New(proxy.Options{Engine: policy.NewEngine(bindings, store.NewLists(nil, nil, 0)),
		Upstream: upstream.New(upstream.Options{UserAgent: "vigil-proxy-test"}), Cache: cache, Artifacts: arts,
		PyPI: proxy.PyPIOptions{Upstream: up}, NPM: proxy.NPMOptions{Upstream: up, TarballHosts: hosts}})
	if err != nil {
		t.Fatal(err)
	}
	cp := &cachingProxy{proxy: p, fake: fake}
	srv := httptest.NewServer(p.Handler())
	t.Cleanup(srv.Close)
	cp.tarball = srv.URL + "/npm/mature-lib/-/mature-lib-1.0.0.tgz"
	for range 2 {
		if code := cp.download(t); code != http.StatusOK {
			t.Fatalf("tarball download = %d", code)
		}
	}
	if n := fake.Requests("/mature-lib/-/mature-lib-1.0.0.tgz"); n != 1 {
		t.Fatalf("upstream served the tarball %d times before the purge, want 1 (then cached)", n)
	}
	return cp
}

func (cp *cachingProxy) download(t *testing.T) int {
	t.Helper()
	resp, err := http.Get(cp.tarball)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// upstreamFetches is how often upstream has served the tarball.
func (cp *cachingProxy) upstreamFetches() int {
	return cp.fake.Requests("/mature-lib/-/mature-lib-1.0.0.tgz")
}

// TestPurgeArtifactsAPI: only admins may purge; a purge removes the
// package's cached files (the next download goes upstream again), answers
// how many, and is audited with the actor.
func TestPurgeArtifactsAPI(t *testing.T) {
	cp := newCachingProxy(t)
	e := newEnv(t, func(o *Options) { o.Artifacts = cp.proxy })
	body := map[string]string{"ecosystem": "npm", "name": "mature-lib"}
	for _, tok := range []string{e.viewerToken, e.requesterToken} {
		if code, out := e.do(http.MethodPost, "/api/v1/artifacts/purge", tok, body); code != http.StatusForbidden {
			t.Errorf("purge with a non-admin token = %d %s, want 403", code, out)
		}
	}
	if code, _ := e.do(http.MethodPost, "/api/v1/artifacts/purge", "", body); code != http.StatusUnauthorized {
		t.Errorf("purge without credentials = %d, want 401", code)
	}
	if cp.download(t); cp.upstreamFetches() != 1 {
		t.Fatalf("refused purges removed the cached file")
	}
	var res purgeResult
	e.mustDo(http.MethodPost, "/api/v1/artifacts/purge", e.adminToken, body, http.StatusOK, &res)
	if res.Removed != 1 || res.Name != "mature-lib" || res.Ecosystem != policy.NPM {
		t.Errorf("purge result %+v, want 1 file of npm mature-lib", res)
	}
	if code := cp.download(t); code != http.StatusOK || cp.upstreamFetches() != 2 {
		t.Errorf("download after the purge = %d with %d upstream fetches, want 200 fetched again (2)", code, cp.upstreamFetches())
	}
	evs, _, err := e.st.Events(context.Background(), store.EventQuery{Kind: store.KindAdmin, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, ev := range evs {
		if ev.Action == actionArtifactsPurge+actionResultSuffix && ev.Actor == "token:ops" && ev.Target == "npm:mature-lib" && strings.Contains(string(ev.After), `"removed":1`) {
			found = true
		}
	}
	if !found {
		t.Errorf("no audit event for the purge by ops: %+v", evs)
	}
	for _, tc := range []struct {
		body map[string]string
		want int
	}{
		{map[string]string{"ecosystem": "cargo", "name": "x"}, http.StatusBadRequest},
		{map[string]string{"ecosystem": "npm", "name": "../etc"}, http.StatusBadRequest},
		{map[string]string{"ecosystem": "npm", "name": "no-such-package"}, http.StatusNotFound},
	} {
		if code, out := e.do(http.MethodPost, "/api/v1/artifacts/purge", e.adminToken, tc.body); code != tc.want {
			t.Errorf("purge %v = %d %s, want %d", tc.body, code, out, tc.want)
		}
	}
}

func TestPurgeArtifactsDisabled(t *testing.T) {
	e := newEnv(t, nil)
	code, out := e.do(http.MethodPost, "/api/v1/artifacts/purge", e.adminToken, map[string]string{"ecosystem": "npm", "name": "x"})
	if code != http.StatusConflict || !strings.Contains(string(out), "artifacts_max_size") {
		t.Errorf("purge without an artifact cache = %d %s, want 409 naming the setting", code, out)
	}
}

// TestPurgeArtifactsUI: the package page shows admins a purge button; the
// form needs the session's CSRF token; viewers see no button and may not
// post.
func TestPurgeArtifactsUI(t *testing.T) {
	cp := newCachingProxy(t)
	e := newEnv(t, func(o *Options) { o.Artifacts = cp.proxy })
	page := "/admin/package?eco=npm&name=mature-lib"

	viewer := e.newBrowser()
	viewer.login("victor", e.password)
	if _, body := viewer.get(page); strings.Contains(body, "Purge cached files") {
		t.Error("a viewer sees the purge button")
	}
	tok := viewer.csrf(page)
	if resp, _ := viewer.post("/admin/package/purge", url.Values{"csrf": {tok}, "eco": {"npm"}, "name": {"mature-lib"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer purge = %d, want 403", resp.StatusCode)
	}

	admin := e.newBrowser()
	admin.login("alice", e.password)
	if _, body := admin.get(page); !strings.Contains(body, "Purge cached files") {
		t.Fatalf("the admin's package page has no purge button:\n%.500s", body)
	}
	if resp, _ := admin.post("/admin/package/purge", url.Values{"eco": {"npm"}, "name": {"mature-lib"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("purge without the CSRF token = %d, want 403", resp.StatusCode)
	}
	if cp.download(t); cp.upstreamFetches() != 1 {
		t.Fatal("a refused purge removed the cached file")
	}
	if _, body := admin.get(page); !strings.Contains(body, `<input type="hidden" name="ecosystem" value="npm">`) {
		t.Errorf("the purge form should post the documented parameter name, ecosystem:\n%.2000s", body)
	}
	resp, _ := admin.post("/admin/package/purge", url.Values{"csrf": {admin.csrf(page)}, "ecosystem": {"npm"}, "name": {"mature-lib"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("purge = %d, want 303 to the package page", resp.StatusCode)
	}
	if loc := resp.Header.Get("Location"); !strings.Contains(loc, "ecosystem=npm") {
		t.Errorf("purge redirects to %q, want the documented ecosystem= parameter", loc)
	}
	if _, body := admin.get(resp.Header.Get("Location")); !strings.Contains(body, "Cached files of the package removed") {
		t.Errorf("the package page after the purge lacks the notice:\n%.500s", body)
	}
	if cp.download(t); cp.upstreamFetches() != 2 {
		t.Errorf("download after the UI purge made %d upstream fetches in all, want 2", cp.upstreamFetches())
	}
	// A form of an older page still posts eco=.
	if resp, _ := admin.post("/admin/package/purge", url.Values{"csrf": {admin.csrf(page)}, "eco": {"npm"}, "name": {"mature-lib"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("purge with the legacy eco= parameter = %d, want 303", resp.StatusCode)
	}
	if cp.download(t); cp.upstreamFetches() != 3 {
		t.Errorf("download after the legacy-form purge made %d upstream fetches in all, want 3", cp.upstreamFetches())
	}
}

package proxy_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/admin"
	"github.com/vigil-proxy/vigil-proxy/npm/npmtest"
	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
)

// warm fetches path twice and checks that the second answer came from the
// rendered cache: no judgement, byte-identical to the first.
func warm(t *testing.T, e *env, path string, headers ...string) string {
	t.Helper()
	cold := wantStatus(t, e.get(path, headers...), http.StatusOK)
	before := e.proxy.Judgements()
	again := wantStatus(t, e.get(path, headers...), http.StatusOK)
	if n := e.proxy.Judgements() - before; n != 0 {
		t.Fatalf("warm %s made %d judgements, want 0", path, n)
	}
	if again != cold {
		t.Fatalf("warm %s body differs from the cold one:\ncold %.300s\nwarm %.300s", path, cold, again)
	}
	return cold
}

// A warm hit answers every representation without judging, with the bytes
// of a cold render, its ETag (304 on If-None-Match), Content-Length, and
// a gzip copy that decompresses to the identity body.
func TestRenderedWarmHitsAreIdenticalAndUnjudged(t *testing.T) {
	npmEnv, npmFake := newNPMEnv(t, envOptions{})
	pypiEnv, pypiFake := newPyPIEnv(t, envOptions{})
	// The same upstreams through proxies without the cache.
	npmPlain := newEnv(t, envOptions{noRendered: true, npmUpstream: npmFake.URL, npmTarballs: []string{npmFake.TarballHost()}})
	pypiPlain := newEnv(t, envOptions{noRendered: true, pypiUpstream: pypiFake.URL, pypiFiles: []string{pypiFake.FilesHost()}})
	for _, tc := range []struct {
		e      *env
		path   string
		accept string
	}{
		{npmEnv, "/npm/fresh-lib", "application/json"},
		{npmEnv, "/npm/fresh-lib", "application/vnd.npm.install-v1+json"},
		{pypiEnv, "/pypi/simple/fresh-release/", "text/html"},
		{pypiEnv, "/pypi/simple/fresh-release/", "application/vnd.pypi.simple.v1+json"},
		{pypiEnv, "/pypi/pypi/fresh-release/json", "application/json"},
		{pypiEnv, "/pypi/pypi/fresh-release/1.0.0/json", "application/json"},
	} {
		t.Run(tc.path+" "+tc.accept, func(t *testing.T) {
			e := tc.e
			identity := warm(t, e, tc.path, "Accept: "+tc.accept)
			resp := e.get(tc.path, "Accept: "+tc.accept)
			etag := resp.Header.Get("ETag")
			if b := wantStatus(t, resp, http.StatusOK); resp.Header.Get("Content-Length") != strconv.Itoa(len(b)) {
				t.Errorf("Content-Length %q, body %d bytes", resp.Header.Get("Content-Length"), len(b))
			}
			if etag == "" {
				t.Fatal("no ETag")
			}
			before := e.proxy.Judgements()
			wantStatus(t, e.get(tc.path, "Accept: "+tc.accept, "If-None-Match: "+etag), http.StatusNotModified)

			zresp := e.get(tc.path, "Accept: "+tc.accept, "Accept-Encoding: gzip")
			zbody := wantStatus(t, zresp, http.StatusOK)
			if zresp.Header.Get("Content-Encoding") != "gzip" || zresp.Header.Get("ETag") == etag {
				t.Fatalf("gzip answer: Content-Encoding %q, ETag %q (identity %q)", zresp.Header.Get("Content-Encoding"), zresp.Header.Get("ETag"), etag)
			}
			zr, err := gzip.NewReader(strings.NewReader(zbody))
			if err != nil {
				t.Fatal(err)
			}
			plain, err := io.ReadAll(zr)
			if err != nil || string(plain) != identity {
				t.Errorf("gzip copy decompresses to %d bytes (err %v), identity is %d", len(plain), err, len(identity))
			}
			wantStatus(t, e.get(tc.path, "Accept: "+tc.accept, "Accept-Encoding: gzip", "If-None-Match: "+zresp.Header.Get("ETag")), http.StatusNotModified)
			if n := e.proxy.Judgements() - before; n != 0 {
				t.Errorf("conditional and gzip hits made %d judgements, want 0", n)
			}

			// The same request to a proxy without the cache gives the same bytes.
			plainEnv := pypiPlain
			if strings.HasPrefix(tc.path, "/npm/") {
				plainEnv = npmPlain
			}
			uncached := wantStatus(t, plainEnv.get(tc.path, "Accept: "+tc.accept), http.StatusOK)
			// File links name the proxy's own address, which differs.
			if strings.ReplaceAll(uncached, plainEnv.srv.URL, e.srv.URL) != identity {
				t.Errorf("cached body differs from an uncached proxy's:\ncached   %.300s\nuncached %.300s", identity, uncached)
			}
		})
	}
}

// A deny entry written after a package was cached refuses the very next
// request for its packument and its tarball (npm), simple page, JSON
// document and file (PyPI).
func TestRenderedDenyAfterCachingRefusesNextRequest(t *testing.T) {
	ctx := context.Background()
	t.Run("npm", func(t *testing.T) {
		e, _ := newNPMEnv(t, envOptions{})
		warm(t, e, "/npm/mature-lib")
		warm(t, e, "/npm/mature-lib", "Accept: application/vnd.npm.install-v1+json")
		wantStatus(t, e.get("/npm"+matureTarball), http.StatusOK)
		before := e.proxy.Judgements()
		wantStatus(t, e.get("/npm"+matureTarball), http.StatusOK)
		if n := e.proxy.Judgements() - before; n != 0 {
			t.Errorf("warm tarball made %d full judgements, want 0", n)
		}
		if _, err := e.store.PutEntry(ctx, policy.ListEntry{Kind: policy.Deny, Ecosystem: policy.NPM,
			Pattern: "mature-lib", Reason: "compromised maintainer account", Created: time.Now()}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond) // the lists' reread interval in tests is 1 ms
		for _, p := range []string{"/npm/mature-lib", "/npm" + matureTarball} {
			if b := wantStatus(t, e.get(p), http.StatusForbidden); !strings.Contains(b, "compromised maintainer account") {
				t.Errorf("%s refusal %q lacks the deny reason", p, b)
			}
		}
		b := wantStatus(t, e.get("/npm/mature-lib", "Accept: application/vnd.npm.install-v1+json"), http.StatusForbidden)
		if !strings.Contains(b, "compromised maintainer account") {
			t.Errorf("corgi refusal %q lacks the deny reason", b)
		}
	})
	t.Run("pypi", func(t *testing.T) {
		e, fake := newPyPIEnv(t, envOptions{})
		warm(t, e, "/pypi/simple/mature-pkg/")
		warm(t, e, "/pypi/pypi/mature-pkg/json")
		file := "/pypi/files/mature-pkg/" + fake.Files("mature-pkg")[0].Filename
		wantStatus(t, e.get(file), http.StatusOK)
		before := e.proxy.Judgements()
		wantStatus(t, e.get(file), http.StatusOK)
		if n := e.proxy.Judgements() - before; n != 0 {
			t.Errorf("warm file made %d full judgements, want 0", n)
		}
		if _, err := e.store.PutEntry(ctx, policy.ListEntry{Kind: policy.Deny, Ecosystem: policy.PyPI,
			Pattern: "mature-pkg", Reason: "typosquat confirmed", Created: time.Now()}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
		for _, p := range []string{"/pypi/simple/mature-pkg/", "/pypi/pypi/mature-pkg/json", file} {
			if b := wantStatus(t, e.get(p), http.StatusForbidden); !strings.Contains(b, "typosquat confirmed") {
				t.Errorf("%s refusal %q lacks the deny reason", p, b)
			}
		}
	})
}

// A version hidden by its cooldown becomes visible at the instant the
// cooldown ends, long before the metadata TTL (1 minute here) would have
// refreshed anything: the entry's expiry was computed when it was made.
func TestRenderedCooldownEndsAtThatInstant(t *testing.T) {
	const relAge = 7 * day // the default strategy's minimum release age
	published := time.Now().Add(-relAge + 30*time.Second)
	old := time.Now().Add(-400 * day)
	t.Run("npm", func(t *testing.T) {
		fake := npmtest.NewServer(t, npmtest.Package{Name: "ripening", Repository: ghRepo, Created: old, Versions: []npmtest.Version{
			{Version: "1.0.0", Published: old}, {Version: "1.1.0", Published: published},
		}})
		e := newEnv(t, envOptions{npmUpstream: fake.URL, npmTarballs: []string{fake.TarballHost()}})
		if doc := decodePackument(t, warm(t, e, "/npm/ripening")); doc.DistTags["latest"] != "1.0.0" {
			t.Fatalf("before the cooldown ends: latest %q, want 1.0.0", doc.DistTags["latest"])
		}
		wantStatus(t, e.get("/npm/ripening/-/ripening-1.1.0.tgz"), http.StatusForbidden)
		matures := published.Add(relAge)
		e.clock.Advance(matures.Sub(e.clock.Now()) - 2*time.Second)
		warm(t, e, "/npm/ripening") // still hidden, still served from the cache
		fetches := fake.TotalRequests()
		e.clock.Advance(3 * time.Second)
		if doc := decodePackument(t, wantStatus(t, e.get("/npm/ripening"), http.StatusOK)); doc.DistTags["latest"] != "1.1.0" {
			t.Errorf("1 s after the cooldown ended: latest %q, want 1.1.0", doc.DistTags["latest"])
		}
		wantStatus(t, e.get("/npm/ripening/-/ripening-1.1.0.tgz"), http.StatusOK)
		if n := fake.TotalRequests() - fetches; n != 1 {
			t.Errorf("upstream saw %d requests after the cooldown ended, want 1 (the tarball): the metadata TTL had not passed", n)
		}
	})
	t.Run("pypi", func(t *testing.T) {
		fake := pypitest.NewServer(t, pypitest.Project{Name: "ripening", ProjectURLs: repoURLs, Dists: []pypitest.Dist{
			{Version: "1.0.0", Uploaded: old}, {Version: "1.1.0", Uploaded: published},
		}})
		e := newEnv(t, envOptions{pypiUpstream: fake.URL, pypiFiles: []string{fake.FilesHost()}})
		page := warm(t, e, "/pypi/simple/ripening/")
		if !strings.Contains(page, "data-yanked") {
			t.Fatalf("before the cooldown ends the 1.1.0 file is not yanked:\n%s", page)
		}
		e.clock.Advance(published.Add(relAge).Sub(e.clock.Now()) + time.Second)
		fetches := fake.TotalRequests()
		if page := wantStatus(t, e.get("/pypi/simple/ripening/"), http.StatusOK); strings.Contains(page, "data-yanked") {
			t.Errorf("after the cooldown ended the 1.1.0 file is still yanked:\n%s", page)
		}
		if n := fake.TotalRequests() - fetches; n != 0 {
			t.Errorf("upstream saw %d requests, want 0: the metadata TTL had not passed", n)
		}
	})
}

// An allow entry that expires makes the versions it allowed hidden again
// at that instant.
func TestRenderedAllowExpiryEndsAtThatInstant(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{})
	expires := e.clock.Now().Add(20 * time.Second)
	if _, err := e.store.PutEntry(context.Background(), policy.ListEntry{Kind: policy.Allowlist, Ecosystem: policy.NPM,
		Pattern: "fresh-lib", Versions: "2.0.0", Reason: "reviewed", Created: time.Now(), Expires: expires}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	if doc := decodePackument(t, warm(t, e, "/npm/fresh-lib")); doc.DistTags["latest"] != "2.0.0" {
		t.Fatalf("allowed: latest %q, want 2.0.0", doc.DistTags["latest"])
	}
	e.clock.Advance(21 * time.Second)
	if doc := decodePackument(t, wantStatus(t, e.get("/npm/fresh-lib"), http.StatusOK)); doc.DistTags["latest"] == "2.0.0" {
		t.Errorf("after the allow entry expired 2.0.0 is still latest")
	}
}

// A malware-feed change and an approval (an allow entry written, the lists
// told) each invalidate what was cached.
func TestRenderedFeedChangeAndApprovalInvalidate(t *testing.T) {
	feed := &swappableFeed{}
	feed.set(t)
	// Lists reread only hourly: the approval must reach the cache through
	// the lists' Invalidate (admin calls it after every write).
	e, _ := newNPMEnv(t, envOptions{malware: feed, listsTTL: time.Hour})
	if doc := decodePackument(t, warm(t, e, "/npm/mature-lib")); doc.DistTags["latest"] != "1.1.0" {
		t.Fatalf("clean: latest %q", doc.DistTags["latest"])
	}
	warm(t, e, "/npm/fresh-lib")
	feed.set(t, malOneVersion)
	if doc := decodePackument(t, wantStatus(t, e.get("/npm/mature-lib"), http.StatusOK)); doc.DistTags["latest"] != "1.0.0" {
		t.Errorf("after the feed named 1.1.0: latest %q, want 1.0.0", doc.DistTags["latest"])
	}
	wantStatus(t, e.get("/npm/mature-lib/-/mature-lib-1.1.0.tgz"), http.StatusForbidden)

	// A request for fresh-lib 2.0.0, approved through the admin API of
	// this proxy's store and lists.
	approve(t, e, policy.NPM, "fresh-lib", "2.0.0")
	if doc := decodePackument(t, wantStatus(t, e.get("/npm/fresh-lib"), http.StatusOK)); doc.DistTags["latest"] != "2.0.0" {
		t.Errorf("after the approval: latest %q, want 2.0.0", doc.DistTags["latest"])
	}
}

// A response made from a stale copy (upstream down past the TTL) carries
// Warning: 110 and is never kept: once upstream is back, the next answer
// is fresh and has no warning.
func TestRenderedStaleIsNotKept(t *testing.T) {
	e, fake := newNPMEnv(t, envOptions{})
	warm(t, e, "/npm/mature-lib")
	fake.SetFault("/mature-lib", npmtest.Fault{Status: http.StatusServiceUnavailable})
	e.clock.Advance(2 * time.Minute) // past the TTL, within the grace
	for range 2 {
		resp := e.get("/npm/mature-lib")
		wantStatus(t, resp, http.StatusOK)
		if w := resp.Header.Get("Warning"); !strings.HasPrefix(w, "110") {
			t.Fatalf("stale answer Warning %q, want 110", w)
		}
	}
	fake.SetFault("/mature-lib", npmtest.Fault{})
	e.clock.Advance(2 * time.Minute)
	resp := e.get("/npm/mature-lib")
	wantStatus(t, resp, http.StatusOK)
	if w := resp.Header.Get("Warning"); w != "" {
		t.Errorf("fresh answer after recovery has Warning %q", w)
	}
}

// A document larger than one in-memory entry is kept in the disk tier and
// served from there, identical.
func TestRenderedLargeDocumentFromDisk(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{renderedMemory: 256})
	body := warm(t, e, "/npm/fresh-lib")
	if st := e.rendered.Stats(); st.DiskBytes < int64(len(body)) {
		t.Errorf("disk tier holds %d bytes, want at least the %d-byte document", st.DiskBytes, len(body))
	}
	zresp := e.get("/npm/fresh-lib", "Accept-Encoding: gzip")
	zr, err := gzip.NewReader(bytes.NewReader([]byte(wantStatus(t, zresp, http.StatusOK))))
	if err != nil {
		t.Fatal(err)
	}
	if plain, _ := io.ReadAll(zr); string(plain) != body {
		t.Errorf("gzip copy from disk decompresses to %d bytes, want %d", len(plain), len(body))
	}
}

// approve files an approval request for name@version through a real admin
// server on e's store and lists, and approves it, as an admin does.
func approve(t *testing.T, e *env, eco policy.Ecosystem, name, version string) {
	t.Helper()
	const requester, approver = "requester-token-0123456789", "admin-token-0123456789abc"
	a, err := admin.New(admin.Options{Store: e.store, Lists: e.lists, Tokens: []admin.Token{
		{Name: "dev", Role: admin.RoleRequester, Secret: requester}, {Name: "ops", Role: admin.RoleAdmin, Secret: approver}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	post := func(path, token string, body any) map[string]any {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode/100 != 2 {
			t.Fatalf("POST %s = %d %v", path, resp.StatusCode, out)
		}
		return out
	}
	r := post("/api/v1/requests", requester, map[string]string{"ecosystem": string(eco), "name": name, "version": version, "justification": "needed for the release"})
	id, _ := r["id"].(string)
	post("/api/v1/requests/"+id+"/approve", approver, map[string]string{"reason": "reviewed the diff"})
}

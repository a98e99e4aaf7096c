package proxy_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

const (
	pnpmUA = "User-Agent: pnpm/10.34.8 npm/? node/v20.20.2 linux x64"
	yarnUA = "User-Agent: got (https://github.com/sindresorhus/got)"
	npmUA  = "User-Agent: npm/11.19.1 node/v20.20.2 linux x64 workspaces/false"
	corgi  = "Accept: application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*"
	// freshHint is the dist-tag pnpm gets for fresh-lib, whose 2.0.0 is two
	// days old (DEP-002, 7 days).
	freshHint = "vigil-proxy hid 2.0.0: version 2.0.0 was published 2 days ago (policy: 7 days) [rule DEP-002]; latest allowed"
)

func versionDeprecated(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var v struct {
		Deprecated string `json:"deprecated"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v.Deprecated
}

func TestNPMPnpmGetsHiddenVersionTag(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{})
	for _, accept := range []string{corgi, "Accept: application/json; q=1.0, */*"} {
		resp := e.get("/npm/fresh-lib", pnpmUA, accept)
		p := decodePackument(t, wantStatus(t, resp, http.StatusOK))
		want := map[string]string{"latest": "1.2.0", "next": "1.2.0", freshHint: "1.2.0"}
		if diff := cmp.Diff(want, p.DistTags); diff != "" {
			t.Errorf("%s: dist-tags (-want +got):\n%s", accept, diff)
		}
		if _, ok := p.Versions["2.0.0"]; ok {
			t.Errorf("%s: hidden 2.0.0 listed for pnpm", accept)
		}
		if v := resp.Header.Get("Vary"); !strings.Contains(v, "User-Agent") {
			t.Errorf("Vary = %q, want User-Agent in it", v)
		}
	}
}

func TestNPMYarnGetsHiddenVersionDeprecated(t *testing.T) {
	e, fake := newNPMEnv(t, envOptions{})
	p := decodePackument(t, wantStatus(t, e.get("/npm/fresh-lib", yarnUA), http.StatusOK))
	if diff := cmp.Diff(map[string]string{"latest": "1.2.0", "next": "1.2.0"}, p.DistTags); diff != "" {
		t.Errorf("dist-tags (-want +got):\n%s", diff)
	}
	raw, ok := p.Versions["2.0.0"]
	if !ok {
		t.Fatalf("hidden 2.0.0 not listed for yarn: %v", p.Versions)
	}
	want := "vigil-proxy: hidden by policy, its tarball is refused: version 2.0.0 was published 2 days ago (policy: 7 days) [rule DEP-002]"
	if got := versionDeprecated(t, raw); got != want {
		t.Errorf("2.0.0 deprecated = %q, want %q", got, want)
	}
	if _, ok := p.Time["2.0.0"]; !ok {
		t.Errorf("listed 2.0.0 lacks its time entry")
	}
	for _, v := range []string{"1.0.0", "1.2.0"} {
		if d := versionDeprecated(t, p.Versions[v]); d != "" {
			t.Errorf("allowed %s deprecated %q", v, d)
		}
	}
	// The listed version's tarball is refused, the rule in the phrase.
	resp := e.get("/npm/fresh-lib/-/fresh-lib-2.0.0.tgz", yarnUA)
	wantStatus(t, resp, http.StatusForbidden)
	if want := "403 Blocked by vigil-proxy: file fresh-lib-2.0.0.tgz of version 2.0.0 was uploaded 2 days ago (policy: 7 days) [rule DEP-002]"; resp.Status != want {
		t.Errorf("status line %q, want %q", resp.Status, want)
	}
	if n := fake.Requests("/fresh-lib/-/fresh-lib-2.0.0.tgz"); n != 0 {
		t.Errorf("hidden tarball fetched upstream %d times", n)
	}
}

// TestNPMHintsStayPerClient: the render cache keeps each client's document
// apart, npm's document is the one without hints, and turning the settings
// off gives pnpm and yarn that same document.
func TestNPMHintsStayPerClient(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{})
	get := func(headers ...string) string {
		return wantStatus(t, e.get("/npm/fresh-lib", headers...), http.StatusOK)
	}
	npmDoc := get(npmUA, "Accept: application/json")
	for round := range 2 { // the second round comes from the render cache
		if got := get(pnpmUA, "Accept: application/json"); !strings.Contains(got, freshHint) {
			t.Errorf("round %d: pnpm document lacks the hint tag", round)
		}
		if got := get(yarnUA); !strings.Contains(got, `"2.0.0":{`) {
			t.Errorf("round %d: yarn document lacks the listed hidden version", round)
		}
		if got := get(npmUA, "Accept: application/json"); got != npmDoc {
			t.Errorf("round %d: npm document changed after other clients' requests", round)
		}
	}
	if strings.Contains(npmDoc, "vigil-proxy hid") || strings.Contains(npmDoc, `"2.0.0"`) {
		t.Errorf("npm document carries a client hint:\n%s", npmDoc)
	}

	off, _ := newNPMEnv(t, envOptions{noHiddenHints: true})
	plain := wantStatus(t, off.get("/npm/fresh-lib", npmUA, "Accept: application/json"), http.StatusOK)
	for _, ua := range []string{pnpmUA, yarnUA} {
		if got := wantStatus(t, off.get("/npm/fresh-lib", ua, "Accept: application/json"), http.StatusOK); got != plain {
			t.Errorf("%s with the hints off: document differs from npm's:\n%s\nwant\n%s", ua, got, plain)
		}
	}
	if v := off.get("/npm/fresh-lib", npmUA).Header.Get("Vary"); strings.Contains(v, "User-Agent") {
		t.Errorf("Vary = %q with the hints off, want no User-Agent", v)
	}
}

// TestNPMYarnNeverListsAVersionItMayHaveCached: yarn 4 takes a resolved
// version from its global cache (mirror) without fetching its tarball, so
// a version the proxy served before and hides now (known malware found
// later, a denylist entry) must not be listed for yarn: a fresh resolution
// of a range only it satisfies would install it from the cache and write
// it into yarn.lock. Only versions too new to have been served (DEP-002)
// are listed.
func TestNPMYarnNeverListsAVersionItMayHaveCached(t *testing.T) {
	feed := &swappableFeed{}
	feed.set(t)
	allow := []policy.ListEntry{
		{ID: "broad", Kind: policy.Allowlist, Ecosystem: policy.NPM, Pattern: "mature-*", Reason: "team library", Source: "config"},
	}
	e, _ := newNPMEnv(t, envOptions{malware: feed, lists: allow})
	wantStatus(t, e.get("/npm/mature-lib/-/mature-lib-1.1.0.tgz", yarnUA), http.StatusOK) // cached by yarn
	feed.set(t, malOneVersion)
	p := decodePackument(t, wantStatus(t, e.get("/npm/mature-lib", yarnUA, corgi), http.StatusOK))
	if raw, ok := p.Versions["1.1.0"]; ok {
		t.Errorf("malicious 1.1.0 listed for yarn (deprecated %q)", versionDeprecated(t, raw))
	}
	if diff := cmp.Diff(map[string]string{"latest": "1.0.0"}, p.DistTags); diff != "" {
		t.Errorf("dist-tags (-want +got):\n%s", diff)
	}

	// A version too new to have been served is still listed.
	fresh, _ := newNPMEnv(t, envOptions{})
	p = decodePackument(t, wantStatus(t, fresh.get("/npm/fresh-lib", yarnUA, corgi), http.StatusOK))
	if _, ok := p.Versions["2.0.0"]; !ok {
		t.Errorf("too-new 2.0.0 not listed for yarn")
	}
}

// TestNPMVaryUserAgentOnlyWhenHintsDiffer: a document no client gets hints
// for is the same for every User-Agent, so it does not vary on it (a
// shared cache or CDN would otherwise keep one copy per User-Agent string,
// or none).
func TestNPMVaryUserAgentOnlyWhenHintsDiffer(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{})
	for range 2 { // the second request comes from the render cache
		if v := e.get("/npm/mature-lib", npmUA).Header.Get("Vary"); v != "Accept, Accept-Encoding" {
			t.Errorf("Vary of a document without hidden versions = %q, want %q", v, "Accept, Accept-Encoding")
		}
		if v := e.get("/npm/fresh-lib", npmUA).Header.Get("Vary"); !strings.Contains(v, "User-Agent") {
			t.Errorf("Vary of a document with hidden versions = %q, want User-Agent in it", v)
		}
	}
}

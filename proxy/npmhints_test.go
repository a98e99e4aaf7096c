package proxy_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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

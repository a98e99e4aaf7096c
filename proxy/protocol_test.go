package proxy_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/npm/npmtest"
	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
)

// An npm package whose every version was unpublished is a stub with
// time.unpublished and no versions: it must be an explained 404, not a 502
// about tarballs, and the check API must agree.
func TestNPMUnpublishedPackageIsExplained(t *testing.T) {
	e, fake := newNPMEnv(t, envOptions{})
	stub := `{"_id":"gone-lib","name":"gone-lib","time":{"created":"2020-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z",` +
		`"unpublished":{"time":"2024-01-01T00:00:00.000Z","versions":["1.0.0"]}}}`
	// registry.npmjs.org answers 200 with the stub.
	fake.SetPackage(npmtest.Package{Name: "gone-lib", Versions: []npmtest.Version{{Version: "1.0.0"}}})
	fake.SetFault("/gone-lib", npmtest.Fault{Body: []byte(stub)})
	for _, path := range []string{"/npm/gone-lib", "/npm/gone-lib/-/gone-lib-1.0.0.tgz"} {
		b := wantStatus(t, e.get(path, "Accept: application/json"), http.StatusNotFound)
		if !strings.Contains(b, "unpublished") || !strings.Contains(b, policy.RuleNonexistent) {
			t.Errorf("%s: body %q should explain the unpublished package (rule %s)", path, b, policy.RuleNonexistent)
		}
	}
	rep, err := e.proxy.Check(context.Background(), policy.NPM, "gone-lib", "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != policy.Block {
		t.Errorf("check verdict = %v, want block like the install", rep.Verdict)
	}
}

// registry.npmjs.org serves corgi for any non-zero quality of the corgi type.
func TestNPMCorgiNegotiationQValues(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{})
	for _, tc := range []struct{ accept, want string }{
		{"application/vnd.npm.install-v1+json; q=0.9, application/json; q=0.8", "application/vnd.npm.install-v1+json"},
		{"application/vnd.npm.install-v1+json;q=0.5", "application/vnd.npm.install-v1+json"},
		{"Application/Vnd.Npm.Install-V1+Json", "application/vnd.npm.install-v1+json"},
		{"application/vnd.npm.install-v1+json;q=0, application/json", "application/json"},
		{"application/json", "application/json"},
		{"", "application/json"},
	} {
		resp := e.get("/npm/mature-lib", "Accept: "+tc.accept)
		wantStatus(t, resp, http.StatusOK)
		if ct := resp.Header.Get("Content-Type"); ct != tc.want {
			t.Errorf("Accept %q: Content-Type %q, want %q", tc.accept, ct, tc.want)
		}
	}
}

// A package whose versions are all hidden is refused on install; the check
// API must give the same verdict.
func TestCheckAgreesWhenEveryVersionIsHidden(t *testing.T) {
	e, fake := newNPMEnv(t, envOptions{})
	old := time.Now().Add(-400 * day)
	fake.SetPackage(npmtest.Package{Name: "all-fresh", Repository: ghRepo, Created: old, Versions: []npmtest.Version{
		{Version: "2.0.0", Published: time.Now().Add(-2 * day)},
	}})
	wantStatus(t, e.get("/npm/all-fresh", "Accept: application/json"), http.StatusForbidden)
	rep, err := e.proxy.Check(context.Background(), policy.NPM, "all-fresh", "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != policy.Block {
		t.Errorf("check verdict = %v, want block like the install (every version hidden)", rep.Verdict)
	}
}

// PyPI's version route finds 1.1.0 for 1.1 (PEP 440 equality); the check API
// must not call that version nonexistent.
func TestCheckPyPIVersionPEP440Equality(t *testing.T) {
	e, _ := newPyPIEnv(t, envOptions{})
	wantStatus(t, e.get("/pypi/pypi/mature-pkg/1.1/json"), http.StatusOK)
	rep, err := e.proxy.Check(context.Background(), policy.PyPI, "mature-pkg", "1.1")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict == policy.Block {
		t.Errorf("check mature-pkg==1.1 = block %+v, want the verdict of 1.1.0", rep.Findings)
	}
}

// The legacy version route and the dist-tags route are decisions too: they
// must reach the audit trail.
func TestNPMVersionAndDistTagRoutesAreAudited(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{})
	wantStatus(t, e.get("/npm/mature-lib/1.0.0"), http.StatusOK)
	wantStatus(t, e.get("/npm/-/package/mature-lib/dist-tags"), http.StatusOK)
	routes := map[string]bool{}
	for _, ev := range e.events.find("mature-lib", "") {
		routes[ev.Route] = true
	}
	for _, r := range []string{"version", "dist-tags"} {
		if !routes[r] {
			t.Errorf("no audit event for route %q (have %v)", r, routes)
		}
	}
}

// When upstream's simple page is HTML (a mirror, or an index without PEP
// 691), the JSON the proxy serves must still carry PEP 700 size and
// upload-time, taken from the JSON API: uv's --exclude-newer treats files
// without upload-time as unavailable.
func TestPyPISimpleJSONFromHTMLUpstreamKeepsPEP700Fields(t *testing.T) {
	e, fake := newPyPIEnv(t, envOptions{})
	req, _ := http.NewRequest(http.MethodGet, fake.URL+"/simple/mature-pkg/", nil)
	req.Header.Set("Accept", "text/html")
	resp, err := fake.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(html), "<a ") {
		t.Fatalf("fake did not serve HTML: %.200s", html)
	}
	fake.SetFault("/simple/mature-pkg/", pypitest.Fault{Body: html, ContentType: "text/html"})
	b := wantStatus(t, e.get("/pypi/simple/mature-pkg/", "Accept: "+pipAccept), http.StatusOK)
	var page simpleJSON
	if err := json.Unmarshal([]byte(b), &page); err != nil {
		t.Fatal(err)
	}
	files := fake.Files("mature-pkg")
	if len(page.Files) != len(files) || len(files) == 0 {
		t.Fatalf("served %d files, upstream has %d", len(page.Files), len(files))
	}
	for i, f := range page.Files {
		want := files[i]
		for _, fi := range files {
			if fi.Filename == f.Filename {
				want = fi
			}
		}
		if f.Size != want.Size {
			t.Errorf("%s: size %d, want %d", f.Filename, f.Size, want.Size)
		}
		if got := want.Uploaded.UTC().Format("2006-01-02T15:04:05.000000Z"); f.UploadTime != got {
			t.Errorf("%s: upload-time %q, want %q", f.Filename, f.UploadTime, got)
		}
	}
}

// npm install pkg@latest gets the re-pointed tag; the check API must judge
// that version, not call the tag a nonexistent version.
func TestCheckNPMDistTag(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{})
	b := wantStatus(t, e.get("/npm/fresh-lib", "Accept: application/json"), http.StatusOK)
	if got := decodePackument(t, b).DistTags["latest"]; got != "1.2.0" {
		t.Fatalf("served latest = %q, want 1.2.0", got)
	}
	rep, err := e.proxy.Check(context.Background(), policy.NPM, "fresh-lib", "latest")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict == policy.Block || rep.Version != "1.2.0" {
		t.Errorf("check fresh-lib@latest = %v %q %+v, want the verdict of 1.2.0", rep.Verdict, rep.Version, rep.Findings)
	}
}

// A PEP 792 quarantined project is known-malicious (MAL-001) on every route
// and in the check API.
func TestPyPIQuarantinedProjectIsMalicious(t *testing.T) {
	old := time.Now().Add(-400 * day)
	e, _ := newPyPIEnv(t, envOptions{}, pypitest.Project{Name: "bad-thing", ProjectURLs: repoURLs,
		Status: "quarantined", StatusReason: "reported malware",
		Dists: []pypitest.Dist{{Version: "1.0.0", Uploaded: old}}})
	for _, tc := range []struct{ path, accept string }{
		{"/pypi/simple/bad-thing/", pipAccept},
		{"/pypi/simple/bad-thing/", "text/html"},
		{"/pypi/pypi/bad-thing/json", ""},
	} {
		resp := e.get(tc.path, "Accept: "+tc.accept)
		b := wantStatus(t, resp, http.StatusForbidden)
		if !strings.Contains(b, "quarantined") || !strings.Contains(resp.Header.Get("X-Vigil-Reason"), "quarantined") {
			t.Errorf("%s: body %q / X-Vigil-Reason %q should say quarantined", tc.path, b, resp.Header.Get("X-Vigil-Reason"))
		}
	}
	rep, err := e.proxy.Check(context.Background(), policy.PyPI, "bad-thing", "")
	if err != nil {
		t.Fatal(err)
	}
	mal := false
	for _, f := range rep.Findings {
		mal = mal || (f.Rule == policy.RuleMalicious && f.Verdict == policy.Block)
	}
	if rep.Verdict != policy.Block || !mal {
		t.Errorf("check = %v %+v, want block by %s", rep.Verdict, rep.Findings, policy.RuleMalicious)
	}
	blocks := e.events.find("bad-thing", "block")
	if len(blocks) < 3 {
		t.Errorf("audit has %d block events, want one per refused request and the check", len(blocks))
	}
}

// The ETag of a packument names its representation, content coding
// included (RFC 9110 8.8.3): a gzip body and an identity body differ.
func TestNPMETagCoversContentCoding(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{})
	plain := e.get("/npm/mature-lib", "Accept: application/json")
	wantStatus(t, plain, http.StatusOK)
	zipped := e.get("/npm/mature-lib", "Accept: application/json", "Accept-Encoding: gzip;q=0.5")
	wantStatus(t, zipped, http.StatusOK)
	if zipped.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Accept-Encoding gzip;q=0.5: Content-Encoding %q, want gzip", zipped.Header.Get("Content-Encoding"))
	}
	pe, ze := plain.Header.Get("ETag"), zipped.Header.Get("ETag")
	if pe == "" || pe == ze {
		t.Errorf("identity ETag %q and gzip ETag %q must differ", pe, ze)
	}
	wantStatus(t, e.get("/npm/mature-lib", "Accept: application/json", "Accept-Encoding: gzip", "If-None-Match: "+ze), http.StatusNotModified)
	wantStatus(t, e.get("/npm/mature-lib", "Accept: application/json", "If-None-Match: "+ze), http.StatusOK)
	head := e.do(http.MethodHead, "/npm/mature-lib", "Accept: application/json", "Accept-Encoding: gzip")
	wantStatus(t, head, http.StatusOK)
	if head.Header.Get("Content-Encoding") != "gzip" || head.Header.Get("ETag") != ze {
		t.Errorf("HEAD headers Content-Encoding %q ETag %q, want those of GET (gzip, %q)", head.Header.Get("Content-Encoding"), head.Header.Get("ETag"), ze)
	}
}

// A simple page without a JSON API document (some mirrors) is still served,
// judged on its files; the JSON API route then answers 404, and the check
// API judges the same facts as the install.
func TestPyPIMissingJSONAPI(t *testing.T) {
	e, fake := newPyPIEnv(t, envOptions{})
	fake.SetFault("/pypi/fresh-release/json", pypitest.Fault{Status: http.StatusNotFound})
	resp := e.get("/pypi/simple/fresh-release/", "Accept: "+pipAccept)
	b := wantStatus(t, resp, http.StatusOK)
	var page simpleJSON
	if err := json.Unmarshal([]byte(b), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Files) != 2 {
		t.Fatalf("files = %d, want 2", len(page.Files))
	}
	for _, f := range page.Files {
		if f.UploadTime == "" || f.Size <= 0 {
			t.Errorf("%s: upload-time %q size %d, want them from the JSON simple page", f.Filename, f.UploadTime, f.Size)
		}
		if young := strings.Contains(f.Filename, "2.0.0"); young == (f.Yanked == false) {
			t.Errorf("%s: yanked = %v", f.Filename, f.Yanked)
		}
	}
	if w := resp.Header.Get("X-Vigil-Warning"); !strings.Contains(w, "source repository") {
		t.Errorf("X-Vigil-Warning = %q, want the DEP-005 warning (no project URLs without the JSON API)", w)
	}
	wantStatus(t, e.get("/pypi/pypi/fresh-release/json"), http.StatusNotFound)
	rep, err := e.proxy.Check(context.Background(), policy.PyPI, "fresh-release", "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != policy.Warn {
		t.Errorf("check verdict = %v, want warn like the served page", rep.Verdict)
	}
}

// registry.npmjs.org answers a range on the version route with the highest
// version that satisfies it. Through the proxy the range chooses only among
// versions policy lets through (fresh-lib 2.0.0 is two days old), a range
// that only a hidden version satisfies is refused with that version's
// reason, and one nothing satisfies is an explained 404.
func TestNPMVersionRouteResolvesRangesAmongAllowedVersions(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{})
	for _, tc := range []struct {
		path   string
		status int
		want   string // the served version, or a part of the refusal
	}{
		{"/npm/fresh-lib/^1", http.StatusOK, "1.2.0"},
		{"/npm/fresh-lib/%5E1.0.0", http.StatusOK, "1.2.0"},
		{"/npm/fresh-lib/1", http.StatusOK, "1.2.0"},
		{"/npm/fresh-lib/~1.0", http.StatusOK, "1.0.0"},
		{"/npm/fresh-lib/*", http.StatusOK, "1.2.0"},
		{"/npm/fresh-lib/%3E%3D1.1%20%3C3", http.StatusOK, "1.2.0"},
		{"/npm/fresh-lib/1.x%20%7C%7C%202.x", http.StatusOK, "1.2.0"},
		{"/npm/fresh-lib/next", http.StatusOK, "1.2.0"},
		{"/npm/fresh-lib/^2", http.StatusForbidden, "version 2.0.0 of 'fresh-lib' exists but is hidden by policy: version 2.0.0 was published 2 days ago"},
		{"/npm/fresh-lib/^3", http.StatusNotFound, "no version of 'fresh-lib' matches ^3; newest allowed is 1.2.0"},
		{"/npm/fresh-lib/9.9.9", http.StatusNotFound, "version 9.9.9 of 'fresh-lib' does not exist; newest allowed is 1.2.0"},
		{"/npm/fresh-lib/nope", http.StatusNotFound, "version nope of 'fresh-lib' does not exist"},
	} {
		resp := e.get(tc.path)
		b := body(t, resp)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %q, want %d; body %s", tc.path, resp.Status, tc.status, b)
			continue
		}
		if tc.status != http.StatusOK {
			if !strings.Contains(b, tc.want) {
				t.Errorf("%s: body %s, want it to say %q", tc.path, b, tc.want)
			}
			continue
		}
		var m struct{ Name, Version string }
		if err := json.Unmarshal([]byte(b), &m); err != nil {
			t.Fatalf("%s: %v: %s", tc.path, err, b)
		}
		if m.Name != "fresh-lib" || m.Version != tc.want {
			t.Errorf("%s: served %s@%s, want fresh-lib@%s", tc.path, m.Name, m.Version, tc.want)
		}
	}
}

// npm audit signatures verifies the registry signatures of installed
// packages with the keys at /-/npm/v1/keys (after Sigstore's TUF repository,
// which has no entry for a proxy's host). The proxy passes upstream's
// signatures through unchanged, so it serves upstream's keys: a 404 made
// npm report that the registry does not sign anything.
func TestNPMSigningKeysComeFromUpstream(t *testing.T) {
	e, fake := newNPMEnv(t, envOptions{})
	want, err := fake.Client().Get(fake.URL + "/-/npm/v1/keys")
	if err != nil {
		t.Fatal(err)
	}
	upstream := body(t, want)
	resp := e.get("/npm/-/npm/v1/keys")
	got := wantStatus(t, resp, http.StatusOK)
	if got != upstream || !strings.Contains(got, `"keyid"`) {
		t.Errorf("keys = %s, want upstream's %s", got, upstream)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	wantStatus(t, e.do(http.MethodHead, "/npm/-/npm/v1/keys"), http.StatusOK)
	b := wantStatus(t, e.do(http.MethodPut, "/npm/-/npm/v1/keys"), http.StatusMethodNotAllowed)
	if !strings.Contains(b, "GET") {
		t.Errorf("PUT keys: %s, want the methods it answers", b)
	}
}

// Account commands (npm token, npm profile, npm org, npm team) get a 404
// that says the proxy has no accounts, not a list of what it proxies.
func TestNPMAccountEndpointsSayThereAreNoAccounts(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{})
	for _, path := range []string{"/npm/-/npm/v1/tokens", "/npm/-/npm/v1/user", "/npm/-/org/acme/user", "/npm/-/org/acme/team?format=cli", "/npm/-/team/acme/dev/user"} {
		b := wantStatus(t, e.get(path), http.StatusNotFound)
		if !strings.Contains(b, "it has no accounts") || !strings.Contains(b, "upstream registry") {
			t.Errorf("GET %s: %s, want it to say the proxy has no accounts", path, b)
		}
	}
}

// Every channel of one refusal reads the same: the JSON API's message used
// the rules' backticks while the reason phrase and X-Vigil-Reason said
// 'young-project'.
func TestPyPIJSONRefusalReadsLikeTheReasonPhrase(t *testing.T) {
	e, _ := newPyPIEnv(t, envOptions{})
	for _, path := range []string{"/pypi/pypi/young-project/json", "/pypi/pypi/fresh-release/2.0.0/json", "/pypi/pypi/nope-nope/json"} {
		resp := e.get(path)
		b := body(t, resp)
		var m struct {
			Message string   `json:"message"`
			Rules   []string `json:"rules"`
		}
		if err := json.Unmarshal([]byte(b), &m); err != nil {
			t.Fatalf("%s: %v: %s", path, err, b)
		}
		reason := resp.Header.Get("X-Vigil-Reason")
		if strings.Contains(m.Message, "`") || m.Message != "vigil-proxy: "+reason || len(m.Rules) == 0 {
			t.Errorf("%s: message %q, rules %v; want %q like X-Vigil-Reason", path, m.Message, m.Rules, "vigil-proxy: "+reason)
		}
	}
}

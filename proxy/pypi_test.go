package proxy_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
)

const (
	pipAccept = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01"
	day       = 24 * time.Hour
)

var repoURLs = map[string]string{"Source": "https://github.com/example/project"}

// fixtures are the projects most PyPI tests share.
func fixtures() []pypitest.Project {
	old := time.Now().Add(-400 * day)
	return []pypitest.Project{
		{Name: "Mature_Pkg", ProjectURLs: repoURLs, Dists: []pypitest.Dist{
			{Version: "1.0.0", Uploaded: old},
			{Version: "1.1.0", Uploaded: old.Add(30 * day)},
			{Version: "1.1.0", Uploaded: old.Add(30 * day), Kind: "sdist"},
		}},
		{Name: "fresh-release", ProjectURLs: repoURLs, Dists: []pypitest.Dist{
			{Version: "1.0.0", Uploaded: old},
			{Version: "2.0.0", Uploaded: time.Now().Add(-2 * day)},
		}},
		{Name: "young-project", ProjectURLs: repoURLs, Dists: []pypitest.Dist{
			{Version: "0.1.0", Uploaded: time.Now().Add(-5 * day)},
		}},
	}
}

func newPyPIEnv(t *testing.T, o envOptions, projects ...pypitest.Project) (*env, *pypitest.Server) {
	t.Helper()
	if projects == nil {
		projects = fixtures()
	}
	fake := pypitest.NewServer(t, projects...)
	o.pypiUpstream = fake.URL
	o.pypiFiles = []string{fake.FilesHost()}
	return newEnv(t, o), fake
}

type simpleJSON struct {
	Name     string   `json:"name"`
	Versions []string `json:"versions"`
	Files    []struct {
		Filename   string            `json:"filename"`
		URL        string            `json:"url"`
		Hashes     map[string]string `json:"hashes"`
		Yanked     any               `json:"yanked"`
		UploadTime string            `json:"upload-time"`
		Size       int64             `json:"size"`
	} `json:"files"`
}

func TestPyPISimpleJSONRewritesAndHides(t *testing.T) {
	e, fake := newPyPIEnv(t, envOptions{})
	resp := e.get("/pypi/simple/fresh-release/", "Accept: "+pipAccept)
	b := wantStatus(t, resp, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.pypi.simple.v1+json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if v := resp.Header.Get("Vary"); !strings.Contains(v, "Accept") {
		t.Errorf("Vary = %q, want Accept", v)
	}
	var doc simpleJSON
	if err := json.Unmarshal([]byte(b), &doc); err != nil {
		t.Fatalf("decode: %v\n%s", err, b)
	}
	if len(doc.Files) != 2 {
		t.Fatalf("files = %d, want 2 (young one yanked, not removed): %s", len(doc.Files), b)
	}
	for _, f := range doc.Files {
		if !strings.HasPrefix(f.URL, e.srv.URL+"/pypi/files/fresh-release/") {
			t.Errorf("file URL %q not rewritten to the proxy", f.URL)
		}
		if f.Hashes["sha256"] == "" || f.UploadTime == "" || f.Size <= 0 {
			t.Errorf("file %s lost hashes/upload-time/size: %+v", f.Filename, f)
		}
		young := strings.Contains(f.Filename, "2.0.0")
		reason, _ := f.Yanked.(string)
		if young && !strings.Contains(reason, "version 2.0.0 was uploaded 2 days ago (policy: 7 days)") {
			t.Errorf("young file yanked = %v, want a reason naming its age", f.Yanked)
		}
		if !young && f.Yanked != false {
			t.Errorf("mature file %s yanked = %v", f.Filename, f.Yanked)
		}
	}
	// Only the proxy, never the client, talked to upstream.
	if fake.Requests("/simple/fresh-release/") != 1 {
		t.Errorf("upstream simple requests = %d, want 1", fake.Requests("/simple/fresh-release/"))
	}
}

func TestPyPISimpleHTMLAndRemoveMode(t *testing.T) {
	e, _ := newPyPIEnv(t, envOptions{hideMode: "remove"})
	resp := e.get("/pypi/simple/fresh-release/")
	b := wantStatus(t, resp, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); ct != "text/html" {
		t.Errorf("Content-Type = %q, want text/html when no Accept", ct)
	}
	if strings.Contains(b, "2.0.0") {
		t.Errorf("remove mode still lists the young file:\n%s", b)
	}
	if !strings.Contains(b, `/pypi/files/fresh-release/fresh_release-1.0.0-py3-none-any.whl#sha256=`) {
		t.Errorf("HTML page lacks the rewritten mature file:\n%s", b)
	}
	if !strings.Contains(b, "data-dist-info-metadata") || !strings.Contains(b, "data-core-metadata") {
		t.Errorf("HTML page lacks PEP 714 attributes:\n%s", b)
	}
}

func TestPyPIRedirectsAndInvalidNames(t *testing.T) {
	e, fake := newPyPIEnv(t, envOptions{})
	resp := e.get("/pypi/simple/Mature_Pkg/")
	body(t, resp)
	if resp.StatusCode != http.StatusMovedPermanently || !strings.HasSuffix(resp.Header.Get("Location"), "/pypi/simple/mature-pkg/") {
		t.Errorf("non-normalized name: %s Location %q", resp.Status, resp.Header.Get("Location"))
	}
	resp = e.get("/pypi/simple/mature-pkg")
	body(t, resp)
	if resp.StatusCode != http.StatusMovedPermanently || !strings.HasSuffix(resp.Header.Get("Location"), "/pypi/simple/mature-pkg/") {
		t.Errorf("slashless: %s Location %q", resp.Status, resp.Header.Get("Location"))
	}
	// A bad name is refused at once, with or without the trailing slash
	// (no redirect to a page that can only be refused).
	for _, bad := range []string{"/pypi/simple/-bad-/", "/pypi/simple/a%20b/", "/pypi/simple/%2e%2e/", "/pypi/files/-x-/f.whl", "/pypi/simple/a%20b", "/pypi/simple/-bad-", "/pypi/simple/%3Cx%3E"} {
		resp := e.get(bad)
		wantStatus(t, resp, http.StatusBadRequest)
	}
	if n := fake.TotalRequests(); n != 0 {
		t.Errorf("invalid names reached upstream: %d requests", n)
	}
}

func TestPyPIYoungProjectAndNonexistentAreRefused(t *testing.T) {
	e, _ := newPyPIEnv(t, envOptions{})
	resp := e.get("/pypi/simple/young-project/", "Accept: "+pipAccept, "User-Agent: pip/23.2.1")
	b := wantStatus(t, resp, http.StatusForbidden)
	if !strings.Contains(b, "first published") || !strings.Contains(resp.Header.Get("X-Vigil-Reason"), "young-project") {
		t.Errorf("young project refusal lacks the reason: %q / %q", b, resp.Header.Get("X-Vigil-Reason"))
	}
	if !strings.HasPrefix(resp.Status, "403 Blocked by vigil-proxy: ") {
		t.Errorf("status line = %q, want a custom reason phrase", resp.Status)
	}
	evs := e.events.find("young-project", "block")
	if len(evs) != 1 || evs[0].Rules[0] != policy.RuleTooNew || evs[0].Client != "pip/23.2.1" {
		t.Errorf("audit events = %+v", evs)
	}

	resp = e.get("/pypi/simple/no-such-thing/")
	b = wantStatus(t, resp, http.StatusNotFound)
	if !strings.Contains(b, "does not exist") {
		t.Errorf("nonexistent body = %q", b)
	}
	if evs := e.events.find("no-such-thing", "block"); len(evs) != 1 || evs[0].Rules[0] != policy.RuleNonexistent {
		t.Errorf("audit events = %+v", evs)
	}
	w, err := e.store.Watched(t.Context(), policy.PyPI, "no-such-thing")
	if err != nil || w.Count != 1 {
		t.Errorf("watchlist = %+v, %v; want count 1", w, err)
	}
}

func TestPyPIWatchlistedNameAppearingIsBlocked(t *testing.T) {
	e, fake := newPyPIEnv(t, envOptions{})
	wantStatus(t, e.get("/pypi/simple/halluc-pkg/"), http.StatusNotFound)
	// An attacker registers the hallucinated name after it was refused
	// (PyPI sets upload times, so the creation time cannot be faked).
	e.clock.Advance(time.Hour) // past the negative cache
	fake.SetProject(pypitest.Project{Name: "halluc-pkg", ProjectURLs: repoURLs, Dists: []pypitest.Dist{{Version: "1.0", Uploaded: e.clock.Now().Add(-time.Minute)}}})
	resp := e.get("/pypi/simple/halluc-pkg/")
	b := wantStatus(t, resp, http.StatusForbidden)
	if !strings.Contains(b, "slopsquat") {
		t.Errorf("body = %q, want a probable-slopsquat reason", b)
	}
}

func TestPyPIAllowAndDenyLists(t *testing.T) {
	now := time.Now()
	lists := []policy.ListEntry{
		{ID: "a", Kind: policy.Allowlist, Ecosystem: policy.PyPI, Pattern: "young-project", Reason: "vetted", Source: "config", Created: now},
		{ID: "d", Kind: policy.Deny, Ecosystem: policy.PyPI, Pattern: "mature-*", Reason: "banned", Source: "config", Created: now},
	}
	e, _ := newPyPIEnv(t, envOptions{lists: lists})
	wantStatus(t, e.get("/pypi/simple/young-project/"), http.StatusOK)
	resp := e.get("/pypi/simple/mature-pkg/")
	b := wantStatus(t, resp, http.StatusForbidden)
	if !strings.Contains(b, "denylisted by entry pypi:mature-* (config): banned") {
		t.Errorf("deny body = %q", b)
	}
}

func TestPyPIFileRoute(t *testing.T) {
	e, fake := newPyPIEnv(t, envOptions{})
	files := fake.Files("fresh-release")
	var old, young pypitest.FileInfo
	for _, f := range files {
		if f.Version == "1.0.0" {
			old = f
		} else {
			young = f
		}
	}
	resp := e.get("/pypi/files/fresh-release/" + old.Filename)
	b := wantStatus(t, resp, http.StatusOK)
	if int64(len(b)) != old.Size {
		t.Errorf("served %d bytes, want %d", len(b), old.Size)
	}
	if resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("file served with Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	resp = e.get("/pypi/files/fresh-release/"+old.Filename, "Range: bytes=0-9")
	if b := wantStatus(t, resp, http.StatusPartialContent); len(b) != 10 {
		t.Errorf("range served %d bytes", len(b))
	}
	resp = e.do(http.MethodHead, "/pypi/files/fresh-release/"+old.Filename)
	wantStatus(t, resp, http.StatusOK)
	resp = e.get("/pypi/files/fresh-release/" + old.Filename + ".metadata")
	if b := wantStatus(t, resp, http.StatusOK); !strings.Contains(b, "Name: fresh-release") && !strings.Contains(b, "Name: fresh_release") {
		t.Errorf("metadata = %q", b)
	}
	// A direct download of the hidden file is refused with the reason in
	// the status line (what pip prints).
	resp = e.get("/pypi/files/fresh-release/" + young.Filename)
	wantStatus(t, resp, http.StatusForbidden)
	if !strings.Contains(resp.Status, "Blocked by vigil-proxy: file fresh_release-2.0.0-py3-none-any.whl of version 2.0.0 was uploaded 2 days ago (policy: 7 days)") {
		t.Errorf("status = %q", resp.Status)
	}
	// A file of a blocked project is refused even by direct URL.
	yp := fake.Files("young-project")[0]
	wantStatus(t, e.get("/pypi/files/young-project/"+yp.Filename), http.StatusForbidden)
	// A file not in the index is not fetched.
	wantStatus(t, e.get("/pypi/files/fresh-release/evil-9.9.9.tar.gz"), http.StatusNotFound)
}

func TestPyPIJSONAPI(t *testing.T) {
	e, _ := newPyPIEnv(t, envOptions{})
	b := wantStatus(t, e.get("/pypi/pypi/fresh-release/json"), http.StatusOK)
	var doc struct {
		Info struct {
			Version string `json:"version"`
		} `json:"info"`
		Releases map[string][]struct {
			URL string `json:"url"`
		} `json:"releases"`
	}
	if err := json.Unmarshal([]byte(b), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Info.Version != "1.0.0" {
		t.Errorf("info.version = %q, want the newest allowed 1.0.0", doc.Info.Version)
	}
	if _, ok := doc.Releases["2.0.0"]; ok {
		t.Errorf("hidden release 2.0.0 still listed")
	}
	for _, f := range doc.Releases["1.0.0"] {
		if !strings.HasPrefix(f.URL, e.srv.URL+"/pypi/files/") {
			t.Errorf("JSON API URL not rewritten: %s", f.URL)
		}
	}
	wantStatus(t, e.get("/pypi/pypi/fresh-release/1.0.0/json"), http.StatusOK)

	b = wantStatus(t, e.get("/pypi/pypi/fresh-release/9.9.9/json"), http.StatusNotFound)
	if !strings.Contains(b, "does not exist") || !strings.Contains(b, "1.0.0") {
		t.Errorf("nonexistent version body = %s", b)
	}
	b = wantStatus(t, e.get("/pypi/pypi/fresh-release/2.0.0/json"), http.StatusNotFound)
	if !strings.Contains(b, "hidden") || !strings.Contains(b, "1.0.0") {
		t.Errorf("hidden version body = %s", b)
	}
}

func TestPyPISingleflight(t *testing.T) {
	e, fake := newPyPIEnv(t, envOptions{})
	fake.SetFault("/simple/mature-pkg/", pypitest.Fault{Delay: 200 * time.Millisecond})
	var wg sync.WaitGroup
	errs := make(chan string, 200)
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp := e.get("/pypi/simple/mature-pkg/", "Accept: "+pipAccept)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				errs <- resp.Status
			}
		}()
	}
	wg.Wait()
	close(errs)
	for s := range errs {
		t.Errorf("concurrent request: %s", s)
	}
	if n := fake.Requests("/simple/mature-pkg/"); n != 1 {
		t.Errorf("upstream fetches = %d, want exactly 1", n)
	}
}

func TestMetrics(t *testing.T) {
	e, _ := newPyPIEnv(t, envOptions{metrics: true})
	wantStatus(t, e.get("/pypi/simple/young-project/"), http.StatusForbidden)
	wantStatus(t, e.get("/pypi/simple/mature-pkg/"), http.StatusOK)
	wantStatus(t, e.get("/pypi/simple/mature-pkg/"), http.StatusOK)
	wants := []string{
		`vigil_decisions_total{ecosystem="pypi",rule="DEP-002",verdict="block"} 1`,
		`vigil_requests_total{code="403",ecosystem="pypi",route="simple"} 1`,
		`vigil_requests_total{code="200",ecosystem="pypi",route="simple"} 2`,
		`vigil_upstream_fetches_total`,
		`vigil_cache_hits_total`,
	}
	// A request is counted when its handler returns, which may be just
	// after the client has read the response: wait a little for it.
	var b string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		b = wantStatus(t, e.get("/metrics"), http.StatusOK)
		if !slices.ContainsFunc(wants, func(w string) bool { return !strings.Contains(b, w) }) || time.Now().After(deadline) {
			break
		}
	}
	for _, want := range wants {
		if !strings.Contains(b, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(b, "young-project") {
		t.Errorf("metrics carry a package name")
	}
}

// A name that resembles a popular package is a typosquat unless it
// declares the same source repository: then it is a sibling of the same
// project (DEP-003's same-repository exemption).
func TestPyPITyposquatSameRepositoryExemption(t *testing.T) {
	old := time.Now().Add(-400 * day)
	psf := map[string]string{"Source": "https://github.com/psf/requests"}
	e, _ := newPyPIEnv(t, envOptions{names: true},
		pypitest.Project{Name: "requests", ProjectURLs: psf, Dists: []pypitest.Dist{{Version: "2.31.0", Uploaded: old}}},
		pypitest.Project{Name: "reqeusts", ProjectURLs: map[string]string{"Source": "https://github.com/attacker/reqeusts"}, Dists: []pypitest.Dist{{Version: "1.0", Uploaded: old}}},
		pypitest.Project{Name: "requestss", ProjectURLs: map[string]string{"Homepage": "https://github.com/PSF/requests.git"}, Dists: []pypitest.Dist{{Version: "1.0", Uploaded: old}}},
	)
	resp := e.get("/pypi/simple/reqeusts/")
	b := wantStatus(t, resp, http.StatusForbidden)
	if !strings.Contains(b, "looks like 'requests'") {
		t.Errorf("typosquat body = %q", b)
	}
	wantStatus(t, e.get("/pypi/simple/requestss/"), http.StatusOK)
	wantStatus(t, e.get("/pypi/simple/requests/"), http.StatusOK)
}

// A version or file name no release could have is refused before anything
// is judged or audited, and is never echoed: a client cannot fill a
// response, the log or a webhook with kilobytes of its own text.
func TestPyPIRefusesOverlongVersionsAndFileNames(t *testing.T) {
	e, _ := newPyPIEnv(t, envOptions{})
	long := strings.Repeat("9", 300)
	for path, want := range map[string]string{
		"/pypi/pypi/mature-pkg/" + long + "/json":                         "invalid version: longer than 128 characters",
		"/pypi/pypi/mature-pkg/1.0%20%0d%0aX-A:%20b/json":                 "invalid version: contains spaces or control characters",
		"/pypi/files/mature-pkg/mature_pkg-" + long + "-py3-none-any.whl": "invalid file name: longer than 255 characters",
		"/pypi/files/mature-pkg/a%0d%0ab.whl":                             "invalid file name: contains spaces or control characters",
	} {
		b := wantStatus(t, e.get(path), http.StatusBadRequest)
		if !strings.Contains(b, want) || strings.Contains(b, "9999999999") {
			t.Errorf("%s: body %q, want %q without the request's text", path[:min(len(path), 50)], b[:min(len(b), 200)], want)
		}
	}
	e.events.mu.Lock()
	n := len(e.events.evs)
	e.events.mu.Unlock()
	if n != 0 {
		t.Errorf("%d audit events for refused requests, want none", n)
	}
	// A real version still answers.
	wantStatus(t, e.get("/pypi/pypi/mature-pkg/1.0.0/json"), http.StatusOK)
}

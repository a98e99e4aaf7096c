package proxy_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/npm/npmtest"
	"github.com/vigil-proxy/vigil-proxy/policy"
)

const ghRepo = "git+https://github.com/example/pkg.git"

func npmFixtures() []npmtest.Package {
	old := time.Now().Add(-400 * day)
	return []npmtest.Package{
		{Name: "mature-lib", Repository: ghRepo, Created: old, Versions: []npmtest.Version{
			{Version: "1.0.0", Published: old},
			{Version: "1.1.0", Published: old.Add(10 * day)},
		}},
		{Name: "fresh-lib", Repository: ghRepo, Created: old, Versions: []npmtest.Version{
			{Version: "1.0.0", Published: old},
			{Version: "1.2.0", Published: old.Add(5 * day)},
			{Version: "2.0.0", Published: time.Now().Add(-2 * day)},
		}, DistTags: map[string]string{"latest": "2.0.0", "next": "2.0.0"}},
		{Name: "@scope/thing", Repository: ghRepo, Created: old, Versions: []npmtest.Version{
			{Version: "3.0.0", Published: old},
		}},
		{Name: "brand-new", Repository: ghRepo, Versions: []npmtest.Version{
			{Version: "0.1.0", Published: time.Now().Add(-3 * day)},
		}, Created: time.Now().Add(-3 * day)},
		{Name: "malware-was-here", SecurityHolding: true},
		{Name: "@myorg/internal", Repository: ghRepo, Created: old, Versions: []npmtest.Version{{Version: "1.0.0", Published: old}}},
	}
}

func newNPMEnv(t *testing.T, o envOptions) (*env, *npmtest.Server) {
	t.Helper()
	fake := npmtest.NewServer(t, npmFixtures()...)
	o.npmUpstream = fake.URL
	o.npmTarballs = []string{fake.TarballHost()}
	return newEnv(t, o), fake
}

type packument struct {
	Name     string                     `json:"name"`
	DistTags map[string]string          `json:"dist-tags"`
	Versions map[string]json.RawMessage `json:"versions"`
	Time     map[string]string          `json:"time"`
}

func decodePackument(t *testing.T, b string) packument {
	t.Helper()
	var p packument
	if err := json.Unmarshal([]byte(b), &p); err != nil {
		t.Fatalf("decode packument: %v\n%.300s", err, b)
	}
	return p
}

func tarballOf(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var v struct {
		Dist struct {
			Tarball string `json:"tarball"`
		} `json:"dist"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v.Dist.Tarball
}

func TestNPMPackumentFiltersAndRetags(t *testing.T) {
	e, fake := newNPMEnv(t, envOptions{})
	resp := e.get("/npm/fresh-lib", "Accept: application/json")
	b := wantStatus(t, resp, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if v := resp.Header.Get("Vary"); !strings.Contains(v, "Accept") || !strings.Contains(v, "Accept-Encoding") {
		t.Errorf("Vary = %q", v)
	}
	if n := resp.Header.Get("npm-notice"); !strings.Contains(n, "hidden by policy: 2.0.0 (version 2.0.0 was published 2 days ago (policy: 7 days) [rule DEP-002])") || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("npm-notice = %q (Cache-Control %q), want the hidden version explained", n, resp.Header.Get("Cache-Control"))
	}
	p := decodePackument(t, b)
	if _, ok := p.Versions["2.0.0"]; ok {
		t.Errorf("too-new version 2.0.0 still in versions")
	}
	if _, ok := p.Time["2.0.0"]; ok {
		t.Errorf("too-new version 2.0.0 still in time")
	}
	if p.DistTags["latest"] != "1.2.0" {
		t.Errorf("latest = %q, want it moved to 1.2.0", p.DistTags["latest"])
	}
	for v, raw := range p.Versions {
		if tb := tarballOf(t, raw); !strings.HasPrefix(tb, e.srv.URL+"/npm/fresh-lib/-/") {
			t.Errorf("version %s tarball %q not rewritten", v, tb)
		}
	}
	if fake.LastHeader("/fresh-lib").Get("Accept") != "application/json" {
		t.Errorf("proxy must fetch the full document upstream, sent Accept %q", fake.LastHeader("/fresh-lib").Get("Accept"))
	}
	// Hidden version requested through the legacy version route: explained.
	b = wantStatus(t, e.get("/npm/fresh-lib/2.0.0"), http.StatusForbidden)
	if !strings.Contains(b, "1.2.0") {
		t.Errorf("hidden version body %q should name the newest allowed version", b)
	}
	b = wantStatus(t, e.get("/npm/fresh-lib/9.9.9"), http.StatusNotFound)
	if !strings.Contains(b, "does not exist") {
		t.Errorf("nonexistent version body = %q", b)
	}
}

func TestNPMCorgiKeepsTimeAndETag(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{})
	accept := "Accept: application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*"
	resp := e.get("/npm/mature-lib", accept)
	b := wantStatus(t, resp, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.npm.install-v1+json" {
		t.Errorf("Content-Type = %q", ct)
	}
	p := decodePackument(t, b)
	if p.Time["1.1.0"] == "" {
		t.Errorf("abbreviated document lacks time: %v", p.Time)
	}
	etag := resp.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	resp = e.get("/npm/mature-lib", accept, "If-None-Match: "+etag)
	wantStatus(t, resp, http.StatusNotModified)
	// The full document has a different ETag.
	resp = e.get("/npm/mature-lib", "Accept: application/json", "If-None-Match: "+etag)
	wantStatus(t, resp, http.StatusOK)
	// gzip to clients that ask.
	resp = e.get("/npm/mature-lib", "Accept: application/json", "Accept-Encoding: gzip")
	raw := wantStatus(t, resp, http.StatusOK)
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding = %q", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	decodePackument(t, string(plain))
}

func TestNPMScopedNameForms(t *testing.T) {
	e, fake := newNPMEnv(t, envOptions{})
	for _, p := range []string{"/npm/@scope%2fthing", "/npm/@scope%2Fthing", "/npm/@scope/thing", "/npm/%40scope%2fthing"} {
		b := wantStatus(t, e.get(p), http.StatusOK)
		pk := decodePackument(t, b)
		if pk.Name != "@scope/thing" {
			t.Errorf("%s: name %q", p, pk.Name)
		}
		tb := tarballOf(t, pk.Versions["3.0.0"])
		if !strings.HasPrefix(tb, e.srv.URL+"/npm/@scope/thing/-/thing-3.0.0.tgz") {
			t.Errorf("%s: tarball %q", p, tb)
		}
	}
	tgz, integrity, _, ok := fake.Tarball("@scope/thing", "3.0.0")
	if !ok {
		t.Fatal("fixture tarball missing")
	}
	for _, p := range []string{"/npm/@scope/thing/-/thing-3.0.0.tgz", "/npm/@scope%2fthing/-/thing-3.0.0.tgz"} {
		b := wantStatus(t, e.get(p), http.StatusOK)
		if !bytes.Equal([]byte(b), tgz) {
			t.Errorf("%s: tarball bytes differ from upstream", p)
		}
	}
	sum := sha512.Sum512(tgz)
	if integrity != "sha512-"+base64.StdEncoding.EncodeToString(sum[:]) {
		t.Errorf("fixture integrity mismatch")
	}
}

func TestNPMTarballRouteEnforcesPolicy(t *testing.T) {
	e, fake := newNPMEnv(t, envOptions{})
	// A lockfile install asks for the hidden version's tarball directly.
	resp := e.get("/npm/fresh-lib/-/fresh-lib-2.0.0.tgz", "User-Agent: npm/11.19.1 node/v20.20.2 linux x64 workspaces/false")
	b := wantStatus(t, resp, http.StatusForbidden)
	if !strings.Contains(resp.Status, "Blocked by vigil-proxy") || !strings.Contains(b, `"error"`) {
		t.Errorf("refusal status %q body %q", resp.Status, b)
	}
	if resp.Header.Get("npm-notice") == "" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("refusal headers: %v", resp.Header)
	}
	if n := fake.Requests("/fresh-lib/-/fresh-lib-2.0.0.tgz"); n != 0 {
		t.Errorf("blocked tarball fetched upstream %d times", n)
	}
	wantStatus(t, e.get("/npm/fresh-lib/-/fresh-lib-1.2.0.tgz"), http.StatusOK)
	wantStatus(t, e.get("/npm/brand-new/-/brand-new-0.1.0.tgz"), http.StatusForbidden)
	wantStatus(t, e.get("/npm/fresh-lib/-/fresh-lib-7.0.0.tgz"), http.StatusNotFound)

	evs := e.events.find("fresh-lib", "block")
	if len(evs) == 0 || evs[0].Route != "tarball" || !strings.HasPrefix(evs[0].Client, "npm/11") {
		t.Errorf("audit = %+v", evs)
	}
}

func TestNPMCorruptTarballIsRefused(t *testing.T) {
	e, fake := newNPMEnv(t, envOptions{})
	fake.SetFault("/mature-lib/-/mature-lib-1.1.0.tgz", npmtest.Fault{CorruptTarball: true})
	resp := e.get("/npm/mature-lib/-/mature-lib-1.1.0.tgz")
	b := wantStatus(t, resp, http.StatusBadGateway)
	if !strings.Contains(b, "integrity") {
		t.Errorf("body %q, want the integrity failure explained", b)
	}
}

func TestNPMBlocksAndNotFound(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{})
	resp := e.get("/npm/brand-new")
	b := wantStatus(t, resp, http.StatusForbidden)
	var msg struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal([]byte(b), &msg); err != nil || !strings.Contains(msg.Error, "first published") {
		t.Errorf("block body = %q", b)
	}
	b = wantStatus(t, e.get("/npm/malware-was-here"), http.StatusForbidden)
	if !strings.Contains(b, "security holding") {
		t.Errorf("security holding body = %q", b)
	}
	b = wantStatus(t, e.get("/npm/no-such-pkg-xyz"), http.StatusNotFound)
	if !strings.Contains(b, "does not exist") {
		t.Errorf("not found body = %q", b)
	}
	if evs := e.events.find("malware-was-here", "block"); len(evs) != 1 || evs[0].Rules[0] != policy.RuleMalicious {
		t.Errorf("audit = %+v", evs)
	}
}

func TestNPMPrivateNamesNeverLeak(t *testing.T) {
	e, fake := newNPMEnv(t, envOptions{private: []string{"@myorg/*"}})
	// The dist-tags endpoint (npm dist-tag ls) and the version route name
	// the package too: none of them may ask upstream about it.
	for _, p := range []string{"/npm/@myorg%2finternal", "/npm/@myorg/internal/-/internal-1.0.0.tgz", "/npm/@MyOrg%2FInternal",
		"/npm/-/package/@myorg%2finternal/dist-tags", "/npm/-/package/@myorg/internal/dist-tags", "/npm/@myorg%2finternal/latest"} {
		resp := e.get(p)
		b := wantStatus(t, resp, http.StatusNotFound)
		if !strings.Contains(b, "npm.private") {
			t.Errorf("%s: body %q should name the setting", p, b)
		}
	}
	if n := fake.RequestsMatching("/@myorg"); n != 0 {
		t.Errorf("private name requested upstream %d times", n)
	}
}

func TestNPMSpecialRoutes(t *testing.T) {
	e, fake := newNPMEnv(t, envOptions{})
	wantStatus(t, e.get("/npm/-/ping"), http.StatusOK)
	b := wantStatus(t, e.get("/npm/-/package/fresh-lib/dist-tags"), http.StatusOK)
	if !strings.Contains(b, `"latest":"1.2.0"`) {
		t.Errorf("dist-tags = %s", b)
	}
	// Endpoints the proxy does not serve are the client's business (4xx with
	// the reason), never a server error.
	for _, tc := range []struct {
		method, path string
		status       int
		text         string
	}{
		{http.MethodGet, "/npm/-/whoami", http.StatusNotFound, "no accounts"},
		{http.MethodGet, "/npm/-/v1/search?text=left-pad&size=20", http.StatusNotFound, "search is not proxied"},
		{http.MethodPut, "/npm/-/user/org.couchdb.user:someone", http.StatusMethodNotAllowed, "read-only registry"},
		{http.MethodPut, "/npm/mature-lib", http.StatusMethodNotAllowed, "read-only registry"},
		{http.MethodPut, "/npm/-/package/mature-lib/dist-tags/next", http.StatusMethodNotAllowed, "read-only registry"},
	} {
		b := wantStatus(t, e.do(tc.method, tc.path), tc.status)
		if !strings.Contains(b, tc.text) {
			t.Errorf("%s %s: body %q, want it to say %q", tc.method, tc.path, b, tc.text)
		}
	}

	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`{"mature-lib":["1.1.0"]}`))
	zw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/npm/-/npm/v1/security/advisories/bulk", bytes.NewReader(gz.Bytes()))
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, resp, http.StatusOK)
	if got := fake.AuditRequests(); len(got) != 1 || !strings.Contains(string(got[0]), "mature-lib") {
		t.Errorf("audit forwarded = %q", got)
	}
}

func TestNPMSingleflight(t *testing.T) {
	e, fake := newNPMEnv(t, envOptions{})
	fake.SetFault("/mature-lib", npmtest.Fault{Delay: 200 * time.Millisecond, Times: 1})
	var wg sync.WaitGroup
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp := e.get("/npm/mature-lib")
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("status %s", resp.Status)
			}
		}()
	}
	wg.Wait()
	if n := fake.Requests("/mature-lib"); n != 1 {
		t.Errorf("upstream fetches = %d, want 1", n)
	}
}

func TestNPMUpstreamFaults(t *testing.T) {
	cases := map[string]npmtest.Fault{
		"500":       {Status: 500},
		"reset":     {ResetConnection: true},
		"truncated": {Truncate: true},
		"malformed": {Body: []byte(`{"name":"mature-lib","versions":{`)},
		"gzip bomb": {GzipBomb: true, BombSize: 64 << 20},
		"timeout":   {Delay: 3 * time.Second},
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			e, fake := newNPMEnv(t, envOptions{maxDocument: 1 << 20, timeout: 500 * time.Millisecond})
			fake.SetFault("/mature-lib", f)
			resp := e.get("/npm/mature-lib")
			b := body(t, resp)
			if resp.StatusCode < 500 {
				t.Fatalf("status %s, want 5xx; body %s", resp.Status, b)
			}
			var msg struct {
				Error string `json:"error"`
			}
			if err := json.Unmarshal([]byte(b), &msg); err != nil || msg.Error == "" {
				t.Errorf("error body %q is not npm's {\"error\": …}", b)
			}
		})
	}
}

// Chaining to a private registry: the configured credentials go upstream
// with metadata and tarball requests; the client's own headers do not.
func TestNPMUpstreamAuthorization(t *testing.T) {
	e, fake := newNPMEnv(t, envOptions{npmAuth: "Bearer upstream-token"})
	wantStatus(t, e.get("/npm/mature-lib", "Authorization: Bearer client-token"), http.StatusOK)
	wantStatus(t, e.get("/npm/mature-lib/-/mature-lib-1.1.0.tgz"), http.StatusOK)
	for _, p := range []string{"/mature-lib", "/mature-lib/-/mature-lib-1.1.0.tgz"} {
		if got := fake.LastHeader(p).Get("Authorization"); got != "Bearer upstream-token" {
			t.Errorf("%s: upstream Authorization = %q, want the configured token", p, got)
		}
	}
}

// Public URLs come from the configured base URL; X-Forwarded-* only count
// when trusted.
func TestForwardedHeaders(t *testing.T) {
	for _, trust := range []bool{false, true} {
		e, _ := newNPMEnv(t, envOptions{trustForwarded: trust})
		b := wantStatus(t, e.get("/npm/mature-lib", "X-Forwarded-Host: vigil.example.com", "X-Forwarded-Proto: https"), http.StatusOK)
		tb := tarballOf(t, decodePackument(t, b).Versions["1.1.0"])
		want := e.srv.URL + "/npm/mature-lib/-/"
		if trust {
			want = "https://vigil.example.com/npm/mature-lib/-/"
		}
		if !strings.HasPrefix(tb, want) {
			t.Errorf("trust=%v: tarball %q, want prefix %q", trust, tb, want)
		}
	}
}

// A packument whose tarballs cannot be routed back through the proxy (no
// tarball name; a duplicate name hides the later version) is an unusable
// upstream document.
func TestNPMUnroutableTarballs(t *testing.T) {
	old := time.Now().Add(-400 * day).UTC().Format(time.RFC3339)
	doc := `{"name":"dup","dist-tags":{"latest":"1.0.1"},"repository":"github:example/dup","versions":{` +
		`"1.0.0":{"name":"dup","version":"1.0.0","dist":{"tarball":"http://127.0.0.1:1/","integrity":"sha512-AAAA"}},` +
		`"1.0.1":{"name":"dup","version":"1.0.1","dist":{"integrity":"sha512-AAAA"}}},` +
		`"time":{"created":"` + old + `","modified":"` + old + `","1.0.0":"` + old + `","1.0.1":"` + old + `"}}`
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, doc)
	}))
	defer up.Close()
	e := newEnv(t, envOptions{npmUpstream: up.URL, npmTarballs: []string{"127.0.0.1:1"}})
	b := wantStatus(t, e.get("/npm/dup"), http.StatusBadGateway)
	if !strings.Contains(b, "duplicate tarball names") {
		t.Errorf("body = %s", b)
	}
}

// The body, the npm-notice header and the reason phrase of one refusal use
// the same characters (no em dash or backtick in one and not the other).
func TestRefusalChannelsReadTheSame(t *testing.T) {
	deny := policy.ListEntry{ID: "d", Kind: policy.Deny, Ecosystem: policy.NPM, Pattern: "mature-lib",
		Reason: "abandoned — use `fresh-lib` instead", Source: "config", Created: time.Now()}
	e, _ := newNPMEnv(t, envOptions{lists: []policy.ListEntry{deny}})
	resp := e.get("/npm/mature-lib")
	b := wantStatus(t, resp, http.StatusForbidden)
	var msg struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal([]byte(b), &msg); err != nil {
		t.Fatalf("body %q: %v", b, err)
	}
	phrase := strings.TrimPrefix(resp.Status, "403 Blocked by vigil-proxy: ")
	body, _, _ := strings.Cut(strings.TrimPrefix(msg.Error, "vigil-proxy: "), " [rule ")
	if !strings.Contains(body, "abandoned - use 'fresh-lib' instead") || body != phrase {
		t.Errorf("body reason %q\nphrase      %q\nwant the same text", body, phrase)
	}
	if notice := resp.Header.Get("npm-notice"); notice != msg.Error {
		t.Errorf("npm-notice %q, body error %q: want the same", notice, msg.Error)
	}
}

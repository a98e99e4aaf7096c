package npmtest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func get(t *testing.T, s *Server, path string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return resp, body
}

func fixture(t *testing.T) *Server {
	t.Helper()
	return NewServer(t,
		Package{
			Name:       "left",
			Repository: map[string]any{"type": "git", "url": "git+https://github.com/u/left.git"},
			Created:    time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC),
			Versions: []Version{
				{Version: "1.0.0", Published: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)},
				{Version: "1.1.0", Deprecated: "use 2", Scripts: map[string]string{"postinstall": "node x.js"}},
				{Version: "2.0.0-rc.1"},
			},
		},
		Package{Name: "@sc/pkg", Versions: []Version{{Version: "0.1.0", Deps: map[string]string{"left": "^1.0.0"}}}},
		Package{Name: "evil", SecurityHolding: true},
	)
}

type doc struct {
	Name     string                     `json:"name"`
	Modified string                     `json:"modified"`
	DistTags map[string]string          `json:"dist-tags"`
	Versions map[string]json.RawMessage `json:"versions"`
	Time     map[string]string          `json:"time"`
	Readme   string                     `json:"readme"`
	Desc     string                     `json:"description"`
	Repo     any                        `json:"repository"`
}

func TestPackumentFullAndCorgi(t *testing.T) {
	s := fixture(t)
	resp, body := get(t, s, "/left", map[string]string{"Accept": "application/json"})
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("full: status %d type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var full doc
	if err := json.Unmarshal(body, &full); err != nil {
		t.Fatal(err)
	}
	if full.Name != "left" || full.DistTags["latest"] != "1.1.0" || len(full.Versions) != 3 {
		t.Errorf("full doc = name %q tags %v versions %d", full.Name, full.DistTags, len(full.Versions))
	}
	wantTime := map[string]string{
		"created":    "2021-01-01T00:00:00.000Z",
		"modified":   "2021-01-03T00:00:00.000Z",
		"1.0.0":      "2021-01-01T00:00:00.000Z",
		"1.1.0":      "2021-01-02T00:00:00.000Z",
		"2.0.0-rc.1": "2021-01-03T00:00:00.000Z",
	}
	if diff := cmp.Diff(wantTime, full.Time); diff != "" {
		t.Errorf("full time (-want +got):\n%s", diff)
	}
	var v struct {
		Deprecated       string `json:"deprecated"`
		HasInstallScript bool   `json:"hasInstallScript"`
		NpmUser          any    `json:"_npmUser"`
		Dist             struct {
			Tarball, Integrity, Shasum string
			Signatures                 []struct{ Keyid, Sig string }
		} `json:"dist"`
	}
	if err := json.Unmarshal(full.Versions["1.1.0"], &v); err != nil {
		t.Fatal(err)
	}
	if v.Deprecated != "use 2" || !v.HasInstallScript || v.NpmUser == nil || v.Dist.Tarball != s.URL+"/left/-/left-1.1.0.tgz" || len(v.Dist.Signatures) != 1 {
		t.Errorf("version 1.1.0 = %+v", v)
	}

	resp, body = get(t, s, "/left", map[string]string{"Accept": CorgiType + "; q=1.0, application/json; q=0.8, */*"})
	if resp.Header.Get("Content-Type") != CorgiType {
		t.Errorf("corgi content type = %q", resp.Header.Get("Content-Type"))
	}
	var corgi map[string]json.RawMessage
	if err := json.Unmarshal(body, &corgi); err != nil {
		t.Fatal(err)
	}
	sorted := func(s []string) []string { sort.Strings(s); return s }
	var keys []string
	for k := range corgi {
		keys = append(keys, k)
	}
	if diff := cmp.Diff([]string{"dist-tags", "modified", "name", "versions"}, sorted(keys)); diff != "" {
		t.Errorf("corgi top-level keys (-want +got):\n%s", diff)
	}
}

func TestScopedSpellings(t *testing.T) {
	s := fixture(t)
	for _, p := range []string{"/@sc%2fpkg", "/@sc%2Fpkg", "/@sc/pkg", "/%40sc%2fpkg"} {
		resp, body := get(t, s, p, nil)
		var d doc
		if err := json.Unmarshal(body, &d); err != nil || resp.StatusCode != 200 || d.Name != "@sc/pkg" {
			t.Errorf("GET %s = %d %q (%v)", p, resp.StatusCode, d.Name, err)
		}
	}
	if n := s.Requests("/@sc/pkg"); n != 4 {
		t.Errorf("Requests(/@sc/pkg) = %d, want 4", n)
	}
	if n := s.RequestsMatching("/@sc/"); n != 4 {
		t.Errorf("RequestsMatching(/@sc/) = %d, want 4", n)
	}
	for _, p := range []string{"/@sc/pkg/-/pkg-0.1.0.tgz", "/@sc%2fpkg/-/pkg-0.1.0.tgz"} {
		resp, body := get(t, s, p, nil)
		want, integrity, _, _ := s.Tarball("@sc/pkg", "0.1.0")
		if resp.StatusCode != 200 || !bytes.Equal(body, want) || integrity == "" {
			t.Errorf("GET %s = %d, %d bytes", p, resp.StatusCode, len(body))
		}
	}
}

func TestTarballIsRealAndVerifies(t *testing.T) {
	s := fixture(t)
	resp, body := get(t, s, "/left/-/left-1.0.0.tgz", map[string]string{"Accept": CorgiType})
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/octet-stream" || resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("tarball: %d %v", resp.StatusCode, resp.Header)
	}
	var d doc
	_, pk := get(t, s, "/left", nil)
	if err := json.Unmarshal(pk, &d); err != nil {
		t.Fatal(err)
	}
	var v struct {
		Dist struct {
			Integrity, Shasum string
			Signatures        []struct{ Keyid, Sig string }
		}
	}
	if err := json.Unmarshal(d.Versions["1.0.0"], &v); err != nil {
		t.Fatal(err)
	}
	integrity, shasum := Checksums(body)
	if integrity != v.Dist.Integrity || shasum != v.Dist.Shasum {
		t.Errorf("checksums of served tarball = %s %s, packument says %s %s", integrity, shasum, v.Dist.Integrity, v.Dist.Shasum)
	}
	gz, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	files := map[string]string{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		files[h.Name] = string(b)
	}
	var m struct{ Name, Version string }
	if err := json.Unmarshal([]byte(files["package/package.json"]), &m); err != nil || m.Name != "left" || m.Version != "1.0.0" {
		t.Errorf("package.json = %q (%v)", files["package/package.json"], err)
	}
	if !strings.Contains(files["package/index.js"], "left@1.0.0") {
		t.Errorf("index.js = %q", files["package/index.js"])
	}

	// The signature verifies with the key from /-/npm/v1/keys.
	_, kb := get(t, s, "/-/npm/v1/keys", nil)
	var keys struct{ Keys []struct{ Keyid, Key string } }
	if err := json.Unmarshal(kb, &keys); err != nil || len(keys.Keys) != 1 {
		t.Fatalf("keys = %s (%v)", kb, err)
	}
	der, _ := base64.StdEncoding.DecodeString(keys.Keys[0].Key)
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatal(err)
	}
	sig, _ := base64.StdEncoding.DecodeString(v.Dist.Signatures[0].Sig)
	digest := sha256.Sum256([]byte("left@1.0.0:" + v.Dist.Integrity))
	if v.Dist.Signatures[0].Keyid != keys.Keys[0].Keyid || !ecdsa.VerifyASN1(pub.(*ecdsa.PublicKey), digest[:], sig) {
		t.Error("dist signature does not verify with the served key")
	}
}

func TestETagGzipAndNotFound(t *testing.T) {
	s := fixture(t)
	resp, _ := get(t, s, "/left", nil)
	etag := resp.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	resp, body := get(t, s, "/left", map[string]string{"If-None-Match": etag})
	if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
		t.Errorf("revalidation = %d with %d bytes, want 304 empty", resp.StatusCode, len(body))
	}
	resp, body = get(t, s, "/left", map[string]string{"Accept-Encoding": "gzip"})
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding = %q", resp.Header.Get("Content-Encoding"))
	}
	gz, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(gz)
	if !bytes.Equal(plain, s.Packument("left", false)) {
		t.Error("gunzipped body differs from the full packument")
	}
	resp, body = get(t, s, "/nope", nil)
	if resp.StatusCode != 404 || string(body) != `{"error":"Not found"}` {
		t.Errorf("missing = %d %s", resp.StatusCode, body)
	}
	s.RemovePackage("left")
	if resp, _ := get(t, s, "/left", nil); resp.StatusCode != 404 {
		t.Errorf("removed package = %d, want 404", resp.StatusCode)
	}
	s.SetPackage(Package{Name: "left", Versions: []Version{{Version: "9.0.0"}}})
	_, body = get(t, s, "/left", nil)
	var d doc
	if err := json.Unmarshal(body, &d); err != nil || d.DistTags["latest"] != "9.0.0" {
		t.Errorf("replaced package tags = %v (%v)", d.DistTags, err)
	}
	if got, want := s.TotalRequests(), 6; got != want {
		t.Errorf("TotalRequests = %d, want %d", got, want)
	}
}

func TestSecurityHoldingAndMisc(t *testing.T) {
	s := fixture(t)
	_, body := get(t, s, "/evil", nil)
	var d doc
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	if d.Desc != "security holding package" || !strings.HasPrefix(d.Readme, "Security holding package") || d.DistTags["latest"] != "0.0.1-security" || len(d.Versions) != 1 {
		t.Errorf("holding package = %+v", d)
	}
	if resp, body := get(t, s, "/-/ping", nil); resp.StatusCode != 200 || string(body) != "{}" {
		t.Errorf("ping = %d %s", resp.StatusCode, body)
	}
	resp, body := get(t, s, "/left/latest", nil)
	var m struct{ Version string }
	if err := json.Unmarshal(body, &m); err != nil || resp.StatusCode != 200 || m.Version != "1.1.0" {
		t.Errorf("GET /left/latest = %d %s", resp.StatusCode, body)
	}

	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	_, _ = gz.Write([]byte(`{"left":["1.0.0"]}`))
	_ = gz.Close()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/-/npm/v1/security/advisories/bulk", &buf)
	req.Header.Set("Content-Encoding", "gzip")
	ar, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	ab, _ := io.ReadAll(ar.Body)
	ar.Body.Close()
	if ar.StatusCode != 200 || string(ab) != "{}" {
		t.Errorf("audit = %d %s", ar.StatusCode, ab)
	}
	if diff := cmp.Diff([][]byte{[]byte(`{"left":["1.0.0"]}`)}, s.AuditRequests()); diff != "" {
		t.Errorf("audit bodies (-want +got):\n%s", diff)
	}
	if h := s.TarballHost(); !strings.HasPrefix(s.URL, "http://"+h) {
		t.Errorf("TarballHost = %q for URL %q", h, s.URL)
	}
}

func TestFaults(t *testing.T) {
	s := fixture(t)
	s.SetFault("/left", Fault{Status: 503, Times: 1})
	if resp, body := get(t, s, "/left", nil); resp.StatusCode != 503 || string(body) != `{"error":"Service Unavailable"}` {
		t.Errorf("fault status = %d %s", resp.StatusCode, body)
	}
	if resp, _ := get(t, s, "/left", nil); resp.StatusCode != 200 {
		t.Errorf("after Times=1 fault = %d, want 200", resp.StatusCode)
	}

	s.SetFault("/left", Fault{Body: []byte("{not json")})
	if _, body := get(t, s, "/left", nil); string(body) != "{not json" {
		t.Errorf("body override = %q", body)
	}
	s.SetFault("/left", Fault{})
	if _, body := get(t, s, "/left", nil); !bytes.Equal(body, s.Packument("left", false)) {
		t.Error("cleared fault still applies")
	}

	s.SetFault("/left", Fault{Delay: 150 * time.Millisecond})
	start := time.Now()
	get(t, s, "/left", nil)
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("delayed response took %v", d)
	}

	s.SetFault("/left/-/left-1.0.0.tgz", Fault{CorruptTarball: true})
	_, body := get(t, s, "/left/-/left-1.0.0.tgz", nil)
	want, integrity, _, _ := s.Tarball("left", "1.0.0")
	if got, _ := Checksums(body); len(body) != len(want) || got == integrity {
		t.Error("corrupted tarball still matches its integrity")
	}

	for _, f := range []Fault{{ResetConnection: true}, {Truncate: true}} {
		s.SetFault("/left", f)
		resp, err := http.Get(s.URL + "/left")
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if err == nil {
			t.Errorf("fault %+v: request succeeded, want an error", f)
		}
	}

	s.SetFault("/left", Fault{GzipBomb: true, BombSize: 8 << 20})
	resp, body := get(t, s, "/left", nil)
	if resp.Header.Get("Content-Encoding") != "gzip" || len(body) > 1<<20 {
		t.Fatalf("bomb: encoding %q, %d compressed bytes", resp.Header.Get("Content-Encoding"), len(body))
	}
	gz, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, gz)
	if n < 8<<20 {
		t.Errorf("bomb inflates to %d bytes, want ≥ 8 MiB", n)
	}
}

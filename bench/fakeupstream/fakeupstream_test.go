package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// testFixtures builds the fixtures once per test binary (a few seconds).
var testFixtures = sync.OnceValues(buildFixtures)

// The committed client fixtures are exactly what the fake generates: their
// integrity hashes must match the tarballs it serves.
func TestCommittedFixturesMatchGenerated(t *testing.T) {
	fx, err := testFixtures()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := fx.write(dir); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"npm-project/package.json", "npm-project/package-lock.json", "requirements.txt"} {
		got, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		committed, err := os.ReadFile(filepath.Join("..", "fixtures", rel))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, committed) {
			t.Errorf("bench/fixtures/%s differs from the generated one: go run ./bench/fakeupstream -write-fixtures bench/fixtures", rel)
		}
	}
}

func startFake(t *testing.T, latency time.Duration) *httptest.Server {
	t.Helper()
	fx, err := testFixtures()
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	s := &server{fx: fx, base: "http://" + ts.Listener.Addr().String(), latency: latency, counts: map[string]int{}}
	if err := s.render(); err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = s
	ts.Start()
	t.Cleanup(ts.Close)
	return ts
}

func fetch(t *testing.T, url string, accept string) []byte {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return b
}

// The large packument is what the benchmark claims (about 1 MB, 300
// versions, a time map) and its latest tarball (about 1 MB) matches its
// integrity; every answer waits for the latency and is counted.
func TestLargePackumentAndTarball(t *testing.T) {
	ts := startFake(t, 30*time.Millisecond)
	start := time.Now()
	body := fetch(t, ts.URL+"/"+bigPackage, "application/json")
	if took := time.Since(start); took < 30*time.Millisecond {
		t.Errorf("answer took %v, want at least the 30ms latency", took)
	}
	if len(body) < 900<<10 || len(body) > 1200<<10 {
		t.Errorf("large packument is %d bytes, want about 1 MB", len(body))
	}
	var doc struct {
		DistTags map[string]string `json:"dist-tags"`
		Versions map[string]struct {
			Dist struct{ Integrity, Tarball string }
		} `json:"versions"`
		Time map[string]string `json:"time"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Versions) != 300 || len(doc.Time) != 302 {
		t.Fatalf("%d versions and %d time entries, want 300 and 302", len(doc.Versions), len(doc.Time))
	}
	latest := doc.Versions[doc.DistTags["latest"]]
	tgz := fetch(t, latest.Dist.Tarball, "")
	sum := sha512.Sum512(tgz)
	if got := "sha512-" + base64.StdEncoding.EncodeToString(sum[:]); got != latest.Dist.Integrity {
		t.Errorf("tarball integrity %s, packument says %s", got, latest.Dist.Integrity)
	}
	if len(tgz) < 1<<20 {
		t.Errorf("latest tarball is %d bytes, want about 1 MB", len(tgz))
	}
	var stats struct {
		Total  int            `json:"total"`
		ByKind map[string]int `json:"by_kind"`
	}
	if err := json.Unmarshal(fetch(t, ts.URL+"/_bench/stats", ""), &stats); err != nil {
		t.Fatal(err)
	}
	if stats.Total != 2 || stats.ByKind["packument"] != 1 || stats.ByKind["tarball"] != 1 {
		t.Errorf("stats = %+v, want one packument and one tarball", stats)
	}
}

// The PEP 691 page lists every wheel with its real sha256, and a wheel is a
// zip pip can read (METADATA and RECORD present).
func TestSimplePageAndWheel(t *testing.T) {
	ts := startFake(t, 0)
	var page struct {
		Name  string `json:"name"`
		Files []struct {
			URL    string            `json:"url"`
			Hashes map[string]string `json:"hashes"`
		} `json:"files"`
	}
	if err := json.Unmarshal(fetch(t, ts.URL+"/simple/"+bigProject+"/", "application/vnd.pypi.simple.v1+json"), &page); err != nil {
		t.Fatal(err)
	}
	if page.Name != bigProject || len(page.Files) != 120 {
		t.Fatalf("page %q with %d files, want %s with 120", page.Name, len(page.Files), bigProject)
	}
	last := page.Files[len(page.Files)-1]
	whl := fetch(t, last.URL, "")
	sum := sha256.Sum256(whl)
	if hex.EncodeToString(sum[:]) != last.Hashes["sha256"] {
		t.Errorf("wheel sha256 differs from the page's")
	}
	zr, err := zip.NewReader(bytes.NewReader(whl), int64(len(whl)))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range zr.File {
		names[filepath.Base(f.Name)] = true
	}
	if !names["METADATA"] || !names["RECORD"] || !names["WHEEL"] {
		t.Errorf("wheel holds %v, want METADATA, WHEEL and RECORD", names)
	}
	if html := fetch(t, ts.URL+"/simple/"+bigProject+"/", "text/html"); !bytes.Contains(html, []byte("#sha256="+last.Hashes["sha256"])) {
		t.Errorf("HTML page lacks the wheel's hash")
	}
}

package pypi

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseProjectDoc(t *testing.T) {
	t.Parallel()
	doc, err := ParseProjectDoc(readTestdata(t, "jsonapi_demo.json"))
	if err != nil {
		t.Fatalf("ParseProjectDoc: %v", err)
	}
	if doc.Name != "Demo_Pkg" || doc.Version != "2.0.0" || doc.HomePage != "https://demo.example" || doc.DownloadURL != "" {
		t.Errorf("info = %+v", doc)
	}
	if diff := cmp.Diff(map[string]string{"Source": "https://github.com/acme/demo", "Homepage": "https://demo.example"}, doc.ProjectURLs); diff != "" {
		t.Errorf("project urls (-want +got):\n%s", diff)
	}
	if len(doc.Releases) != 5 || len(doc.Releases["0.9"]) != 0 || len(doc.URLs) != 1 {
		t.Fatalf("releases = %d, urls = %d", len(doc.Releases), len(doc.URLs))
	}
	want := []ReleaseFile{
		{Filename: "demo_pkg-1.0.0-py3-none-any.whl", URL: "https://files.pythonhosted.org/packages/aa/bb/demo_pkg-1.0.0-py3-none-any.whl",
			UploadTime: time.Date(2023, 1, 1, 10, 0, 0, 123456000, time.UTC), Size: 100, SHA256: "s1", PackageType: "bdist_wheel"},
		{Filename: "demo_pkg-1.0.0.tar.gz", URL: "https://files.pythonhosted.org/packages/aa/bb/demo_pkg-1.0.0.tar.gz",
			UploadTime: time.Date(2023, 1, 1, 9, 0, 0, 0, time.UTC), Size: 90, SHA256: "s2", PackageType: "sdist"},
	}
	if diff := cmp.Diff(want, doc.Releases["1.0.0"]); diff != "" {
		t.Errorf("release 1.0.0 (-want +got):\n%s", diff)
	}
	if f := doc.Releases["1.5.0"][0]; !f.Yanked || f.YankedReason != "bad" {
		t.Errorf("1.5.0 yank = %v %q", f.Yanked, f.YankedReason)
	}
	if _, err := ParseProjectDoc([]byte(`{"info": 3}`)); !errors.Is(err, policy.ErrUpstream) {
		t.Errorf("malformed doc error = %v, want ErrUpstream", err)
	}
}

// filtered decodes FilterProjectDoc output for assertions.
type filtered struct {
	Info struct {
		Version string `json:"version"`
		Name    string `json:"name"`
		Yanked  bool   `json:"yanked"`
	} `json:"info"`
	Releases        map[string][]map[string]any `json:"releases"`
	URLs            []map[string]any            `json:"urls"`
	LastSerial      int                         `json:"last_serial"`
	Vulnerabilities []any                       `json:"vulnerabilities"`
}

func runFilter(t *testing.T, body []byte, keep func(v, f string) bool) (filtered, string) {
	t.Helper()
	out, err := FilterProjectDoc(body, keep, func(u string) string {
		return strings.Replace(u, "https://files.pythonhosted.org/", "https://vigil.example/pypi/files/", 1)
	})
	if err != nil {
		t.Fatalf("FilterProjectDoc: %v", err)
	}
	var f filtered
	if err := json.Unmarshal(out, &f); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	return f, string(out)
}

func releaseKeys(f filtered) []string {
	var ks []string
	for k := range f.Releases {
		ks = append(ks, k)
	}
	SortVersions(ks)
	return ks
}

func TestFilterProjectDocKeepAll(t *testing.T) {
	t.Parallel()
	f, raw := runFilter(t, readTestdata(t, "jsonapi_demo.json"), nil)
	if f.Info.Version != "2.0.0" || f.LastSerial != 77 || f.Vulnerabilities == nil {
		t.Errorf("info/extra fields changed: %+v", f)
	}
	if diff := cmp.Diff([]string{"0.9", "1.0.0", "1.5.0", "2.0.0", "3.0.0b1"}, releaseKeys(f)); diff != "" {
		t.Errorf("releases (-want +got):\n%s", diff)
	}
	if got := f.URLs[0]["url"]; got != "https://vigil.example/pypi/files/packages/ee/ff/demo_pkg-2.0.0-py3-none-any.whl" {
		t.Errorf("urls[0].url = %v", got)
	}
	if strings.Contains(raw, "files.pythonhosted.org") {
		t.Errorf("an upstream file URL survived rewriting:\n%s", raw)
	}
	// Key order is preserved: info first, then last_serial, releases, urls.
	if i, j := strings.Index(raw, `"last_serial"`), strings.Index(raw, `"releases"`); !(strings.HasPrefix(raw, `{"info":{"author":""`) && i < j) {
		t.Errorf("key order not preserved:\n%s", raw[:80])
	}
	if !strings.Contains(raw, `"downloads":{"last_day":-1}`) {
		t.Errorf("unknown info fields dropped")
	}
}

func TestFilterProjectDocHidesLatest(t *testing.T) {
	t.Parallel()
	// Hide everything from 2024 on: 2.0.0 and 3.0.0b1 go; 1.5.0 is yanked,
	// so info.version falls back to 1.0.0. One 1.0.0 file is also hidden.
	keep := func(v, fn string) bool {
		return v != "2.0.0" && v != "3.0.0b1" && fn != "demo_pkg-1.0.0.tar.gz"
	}
	f, _ := runFilter(t, readTestdata(t, "jsonapi_demo.json"), keep)
	if diff := cmp.Diff([]string{"0.9", "1.0.0", "1.5.0"}, releaseKeys(f)); diff != "" {
		t.Errorf("releases (-want +got):\n%s", diff)
	}
	if f.Info.Version != "1.0.0" || f.Info.Yanked {
		t.Errorf("info.version = %q yanked=%v, want 1.0.0 not yanked", f.Info.Version, f.Info.Yanked)
	}
	if len(f.URLs) != 1 || f.URLs[0]["filename"] != "demo_pkg-1.0.0-py3-none-any.whl" {
		t.Errorf("urls = %v", f.URLs)
	}
	if len(f.Releases["1.0.0"]) != 1 {
		t.Errorf("release 1.0.0 files = %v", f.Releases["1.0.0"])
	}
	if got := f.URLs[0]["url"]; got != "https://vigil.example/pypi/files/packages/aa/bb/demo_pkg-1.0.0-py3-none-any.whl" {
		t.Errorf("urls[0].url = %v", got)
	}
}

func TestFilterProjectDocOnlyPrereleaseLeft(t *testing.T) {
	t.Parallel()
	keep := func(v, fn string) bool { return v == "3.0.0b1" }
	f, _ := runFilter(t, readTestdata(t, "jsonapi_demo.json"), keep)
	if f.Info.Version != "3.0.0b1" || len(f.URLs) != 1 {
		t.Errorf("info.version = %q, urls = %d; want the prerelease as last resort", f.Info.Version, len(f.URLs))
	}
	f, _ = runFilter(t, readTestdata(t, "jsonapi_demo.json"), func(string, string) bool { return false })
	if diff := cmp.Diff([]string{"0.9"}, releaseKeys(f)); diff != "" {
		t.Errorf("releases (-want +got):\n%s", diff)
	}
	if len(f.URLs) != 0 || f.Info.Version != "2.0.0" {
		t.Errorf("nothing kept: info.version = %q, urls = %v", f.Info.Version, f.URLs)
	}
}

func TestFilterProjectDocVersionRoute(t *testing.T) {
	t.Parallel()
	body := []byte(`{"info":{"name":"demo","version":"2.0.0"},"urls":[` +
		`{"filename":"demo-2.0.0.tar.gz","url":"https://files.pythonhosted.org/a/demo-2.0.0.tar.gz"},` +
		`{"filename":"demo-2.0.0-py3-none-any.whl","url":"https://files.pythonhosted.org/a/demo-2.0.0-py3-none-any.whl"}],"vulnerabilities":[]}`)
	var seen []string
	out, err := FilterProjectDoc(body, func(v, fn string) bool {
		seen = append(seen, v+" "+fn)
		return strings.HasSuffix(fn, ".whl")
	}, func(u string) string { return "X" + u })
	if err != nil {
		t.Fatal(err)
	}
	want := `{"info":{"name":"demo","version":"2.0.0"},"urls":[{"filename":"demo-2.0.0-py3-none-any.whl","url":"Xhttps://files.pythonhosted.org/a/demo-2.0.0-py3-none-any.whl"}],"vulnerabilities":[]}`
	if diff := cmp.Diff(want, string(out)); diff != "" {
		t.Errorf("version route (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"2.0.0 demo-2.0.0.tar.gz", "2.0.0 demo-2.0.0-py3-none-any.whl"}, seen); diff != "" {
		t.Errorf("keep calls (-want +got):\n%s", diff)
	}
}

func TestFilterProjectDocErrors(t *testing.T) {
	t.Parallel()
	for _, body := range []string{``, `[]`, `{"info":[]}`, `{"releases":{"1":{}}}`, `{"urls":[1]}`, `{"a":1}{}`, `{"info":{"version":3}}`} {
		if _, err := FilterProjectDoc([]byte(body), nil, nil); !errors.Is(err, policy.ErrUpstream) {
			t.Errorf("FilterProjectDoc(%q) error = %v, want ErrUpstream", body, err)
		}
	}
}

func FuzzFilterProjectDoc(f *testing.F) {
	f.Add(readTestdata(f, "jsonapi_demo.json"))
	f.Add([]byte(`{"info":{"version":"1"},"urls":[{"filename":"a","url":"u"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		out, err := FilterProjectDoc(body, func(v, fn string) bool { return len(fn)%2 == 0 }, func(u string) string { return u + "#x" })
		if err != nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("FilterProjectDoc produced invalid JSON: %s", out)
		}
		_, _ = ParseProjectDoc(body)
	})
}

package pypi

import (
	"bytes"
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatalf("url.Parse(%q): %v", s, err)
	}
	return u
}

func ptrBool(b bool) *bool { return &b }

func TestParseSimpleJSON(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("testdata/simple_sampleproject.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseSimpleJSON(body, mustURL(t, "https://pypi.org/simple/sampleproject/"))
	if err != nil {
		t.Fatalf("ParseSimpleJSON: %v", err)
	}
	want := &Project{
		Name: "sampleproject", APIVersion: "1.4", LastSerial: 25613227,
		Status: "archived", StatusReason: "moved to new-sample",
		Versions: []string{"1.2.0", "1.3.0", "1.3.1", "2.0.0", "3.0.0", "4.0.0b1"},
		Files: []File{
			{
				Filename:   "sampleproject-1.2.0.tar.gz",
				URL:        "https://files.pythonhosted.org/packages/a2/a6/3427a8a5dd0c1e176da48a44efb410875b3973bd9843403a0997e4187c408dc1/sampleproject-1.2.0.tar.gz",
				Hashes:     map[string]string{"sha256": "3427a8a5dd0c1e176da48a44efb410875b3973bd9843403a0997e4187c408dc1"},
				Size:       3148,
				UploadTime: time.Date(2015, 6, 14, 14, 38, 5, 93750000, time.UTC),
				Version:    "1.2.0",
			},
			{
				Filename:       "sampleproject-1.3.0-py2.py3-none-any.whl",
				URL:            "https://files.pythonhosted.org/packages/ec/a8/5ec62d18adde798d33a170e7f72930357aa69a60839194c93eb0fb05e59c/sampleproject-1.3.0-py2.py3-none-any.whl",
				Hashes:         map[string]string{"sha256": "dfc1b7d2e2ab3ec1ddb1c7e1e9e6b5cbb0e0b7fb9a6bfc2f27ea4b6a6ad3cdb1"},
				RequiresPython: ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, <4",
				CoreMetadata:   map[string]string{"sha256": "b8d92f0c1b0ca3bb12e4b5e3a4ab4d3e0fb1d4f1b55f72c4e6b7dd2de3e9b1a2"},
				Yanked:         true, YankedReason: "accidental release",
				Size: 3793, UploadTime: time.Date(2019, 11, 4, 16, 20, 31, 166431000, time.UTC),
				Version: "1.3.0",
			},
			{
				Filename:       "sampleproject-1.3.1-py3-none-any.whl",
				URL:            "https://pypi.org/packages/26/d1/sampleproject-1.3.1-py3-none-any.whl",
				Hashes:         map[string]string{"sha256": "26d12b09a7a33ca7a4ce0b3fa2ea2fb4e5be8d6f4e73e6e2df9e2b3f0d5fae15", "blake2b_256": "1111"},
				RequiresPython: ">=3.5", CoreMetadata: map[string]string{}, Yanked: true,
				Size: 3795, UploadTime: time.Date(2019, 11, 4, 16, 25, 31, 0, time.UTC), Version: "1.3.1",
			},
			{
				Filename: "sampleproject-2.0.0.tar.gz", URL: "https://files.pythonhosted.org/packages/8d/c7/sampleproject-2.0.0.tar.gz",
				Hashes: map[string]string{}, RequiresPython: ">=3.6", CoreMetadata: map[string]string{"sha256": "aaaa"},
				Size: 5821, UploadTime: time.Date(2020, 6, 25, 19, 9, 43, 120000000, time.UTC), GPGSig: ptrBool(false), Version: "2.0.0",
			},
			{
				Filename: "sampleproject-3.0.0-py3-none-any.whl", URL: "https://files.pythonhosted.org/packages/ec/a8/sampleproject-3.0.0-py3-none-any.whl",
				Hashes:         map[string]string{"sha256": "2e52702990c22cf1ce50206606b769fe0dbd5646a32873916144bd5aec5473b3"},
				RequiresPython: ">=3.7", CoreMetadata: map[string]string{"sha256": "cccc"},
				Provenance: "https://pypi.org/integrity/sampleproject/3.0.0/sampleproject-3.0.0-py3-none-any.whl/provenance",
				Size:       4662, UploadTime: time.Date(2021, 12, 2, 1, 1, 1, 0, time.UTC), Version: "3.0.0",
			},
		},
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("ParseSimpleJSON mismatch (-want +got):\n%s", diff)
	}
}

func TestParseSimpleJSONErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, body string }{
		{"not json", `<html>`},
		{"major 2", `{"meta":{"api-version":"2.0"},"name":"x","files":[]}`},
		{"garbage version", `{"meta":{"api-version":"one"},"name":"x","files":[]}`},
		{"files not array", `{"meta":{"api-version":"1.0"},"name":"x","files":{}}`},
		{"bad yanked", `{"meta":{"api-version":"1.0"},"name":"x","files":[{"filename":"x-1.tar.gz","url":"u","hashes":{},"yanked":3}]}`},
		{"bad upload-time", `{"meta":{"api-version":"1.1"},"name":"x","files":[{"filename":"x-1.tar.gz","url":"u","hashes":{},"upload-time":"yesterday"}]}`},
		{"missing filename", `{"meta":{"api-version":"1.0"},"name":"x","files":[{"url":"u","hashes":{}}]}`},
		{"missing url", `{"meta":{"api-version":"1.0"},"name":"x","files":[{"filename":"x-1.tar.gz","hashes":{}}]}`},
		{"bad core-metadata", `{"meta":{"api-version":"1.0"},"name":"x","files":[{"filename":"x-1.tar.gz","url":"u","hashes":{},"core-metadata":"yes"}]}`},
		{"bad serial", `{"meta":{"api-version":"1.0","_last-serial":"x"},"name":"x","files":[]}`},
	}
	for _, tt := range tests {
		_, err := ParseSimpleJSON([]byte(tt.body), nil)
		if !errors.Is(err, policy.ErrUpstream) {
			t.Errorf("%s: ParseSimpleJSON error = %v, want policy.ErrUpstream", tt.name, err)
		}
	}
}

func TestParseSimpleJSONLenient(t *testing.T) {
	t.Parallel()
	// Status strings inside meta (the living spec's example), no api-version,
	// name taken from the page URL, versions derived from files.
	body := `{"meta":{"project-status":"Quarantined","project-status-reason":"malware"},"files":[
		{"filename":"Foo_Bar-1.0-py3-none-any.whl","url":"/f/foo.whl","hashes":{"sha256":"ab"},"dist-info-metadata":true,"data-dist-info-metadata":{"sha256":"zz"}}]}`
	p, err := ParseSimpleJSON([]byte(body), mustURL(t, "http://idx.example/simple/Foo.Bar/"))
	if err != nil {
		t.Fatalf("ParseSimpleJSON: %v", err)
	}
	if p.Name != "foo-bar" || p.APIVersion != "1.0" || p.Status != "quarantined" || p.StatusReason != "malware" {
		t.Errorf("project = %+v", p)
	}
	if diff := cmp.Diff([]string{"1.0"}, p.Versions); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
	f := p.Files[0]
	if f.URL != "http://idx.example/f/foo.whl" || f.Size != -1 || !f.UploadTime.IsZero() || f.Version != "1.0" {
		t.Errorf("file = %+v", f)
	}
	if diff := cmp.Diff(map[string]string{}, f.CoreMetadata); diff != "" {
		t.Errorf("dist-info-metadata must be used when core-metadata is absent (-want +got):\n%s", diff)
	}
}

func TestParseSimpleHTML(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("testdata/simple_sampleproject.html")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseSimpleHTML(body, mustURL(t, "https://pypi.org/simple/sampleproject/"))
	if err != nil {
		t.Fatalf("ParseSimpleHTML: %v", err)
	}
	want := &Project{
		Name: "sampleproject", APIVersion: "1.4", LastSerial: 25613227, Status: "deprecated", StatusReason: "use <other>",
		Versions: []string{"1.2.0", "1.3.0", "1.3.1", "2.0.0"},
		Files: []File{
			{
				Filename: "sampleproject-1.2.0.tar.gz", URL: "https://files.pythonhosted.org/packages/a2/a6/sampleproject-1.2.0.tar.gz",
				Hashes: map[string]string{"sha256": "3427a8a5dd0c1e176da48a44efb410875b3973bd9843403a0997e4187c408dc1"}, Size: -1, Version: "1.2.0",
			},
			{
				Filename: "sampleproject-1.3.0-py2.py3-none-any.whl", URL: "https://mirror.example/root/packages/ec/a8/sampleproject-1.3.0-py2.py3-none-any.whl",
				Hashes: map[string]string{"sha256": "dfc1"}, RequiresPython: ">=2.7, !=3.0.*", Yanked: true, YankedReason: "accidental & bad",
				CoreMetadata: map[string]string{"sha256": "b8d9"}, Size: -1, Version: "1.3.0",
			},
			{
				Filename: "sampleproject-1.3.1-py3-none-any.whl", URL: "https://mirror.example/packages/26/d1/sampleproject-1.3.1-py3-none-any.whl",
				Hashes: map[string]string{}, Yanked: true, CoreMetadata: map[string]string{}, Size: -1, Version: "1.3.1",
			},
			{
				Filename: "sampleproject-2.0.0.tar.gz", URL: "https://files.pythonhosted.org/packages/8d/c7/sampleproject-2.0.0.tar.gz",
				Hashes: map[string]string{"md5": "abcd"}, GPGSig: ptrBool(false), Size: -1, Version: "2.0.0",
				Provenance: "https://pypi.org/integrity/sampleproject/2.0.0/sampleproject-2.0.0.tar.gz/provenance",
			},
		},
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("ParseSimpleHTML mismatch (-want +got):\n%s", diff)
	}
}

func TestParseSimpleHTMLErrors(t *testing.T) {
	t.Parallel()
	_, err := ParseSimpleHTML([]byte(`<meta name="pypi:repository-version" content="2.0"><a href="x-1.tar.gz">x-1.tar.gz</a>`), nil)
	if !errors.Is(err, policy.ErrUpstream) {
		t.Errorf("major 2: error = %v, want policy.ErrUpstream", err)
	}
	p, err := ParseSimpleHTML([]byte(`not html at all <<<`), nil)
	if err != nil || len(p.Files) != 0 || p.APIVersion != "1.0" {
		t.Errorf("junk page: %+v, %v; want empty project, api 1.0", p, err)
	}
}

func sampleProject() *Project {
	return &Project{
		Name: "demo", APIVersion: "1.0", LastSerial: 42, Status: "archived", StatusReason: `old "stuff"`,
		Versions: []string{"1.0", "2.0"},
		Files: []File{
			{
				Filename: "demo-1.0.tar.gz", URL: "https://files.example/p/demo-1.0.tar.gz",
				Hashes: map[string]string{"sha256": "aa", "md5": "bb"}, Size: 10,
				UploadTime: time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC), Version: "1.0",
			},
			{
				Filename: "demo-2.0-py3-none-any.whl", URL: "https://files.example/p/demo-2.0-py3-none-any.whl?a=1&b=2",
				Hashes: map[string]string{"sha256": "cc"}, RequiresPython: ">=3.8,<4", CoreMetadata: map[string]string{"sha256": "dd"},
				Yanked: true, YankedReason: "vigil: <too new> & risky", Size: -1, Provenance: "https://p.example/prov",
				GPGSig: ptrBool(true), Version: "2.0",
			},
		},
	}
}

func TestRenderJSON(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := sampleProject().RenderJSON(&buf); err != nil {
		t.Fatal(err)
	}
	want := `{"meta":{"api-version":"1.1","_last-serial":42},"name":"demo","project-status":{"status":"archived","reason":"old \"stuff\""},"versions":["1.0","2.0"],"files":[` +
		`{"filename":"demo-1.0.tar.gz","url":"https://files.example/p/demo-1.0.tar.gz","hashes":{"md5":"bb","sha256":"aa"},"requires-python":null,"core-metadata":false,"data-dist-info-metadata":false,"yanked":false,"size":10,"upload-time":"2024-01-02T03:04:05.000006Z"},` +
		`{"filename":"demo-2.0-py3-none-any.whl","url":"https://files.example/p/demo-2.0-py3-none-any.whl?a=1&b=2","hashes":{"sha256":"cc"},"requires-python":">=3.8,<4","core-metadata":{"sha256":"dd"},"data-dist-info-metadata":{"sha256":"dd"},"gpg-sig":true,"yanked":"vigil: <too new> & risky","provenance":"https://p.example/prov"}]}` + "\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("RenderJSON mismatch (-want +got):\n%s", diff)
	}
	p := sampleProject()
	p.APIVersion = "1.4"
	buf.Reset()
	if err := p.RenderJSON(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), `{"meta":{"api-version":"1.4",`) {
		t.Errorf("upstream api-version 1.4 not kept: %s", buf.String()[:40])
	}
}

func TestRenderHTML(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := sampleProject().RenderHTML(&buf); err != nil {
		t.Fatal(err)
	}
	want := `<!DOCTYPE html>
<html>
  <head>
    <meta name="pypi:repository-version" content="1.0">
    <meta name="pypi:project-status" content="archived">
    <meta name="pypi:project-status-reason" content="old &#34;stuff&#34;">
    <title>Links for demo</title>
  </head>
  <body>
    <h1>Links for demo</h1>
    <a href="https://files.example/p/demo-1.0.tar.gz#sha256=aa">demo-1.0.tar.gz</a><br />
    <a href="https://files.example/p/demo-2.0-py3-none-any.whl?a=1&amp;b=2#sha256=cc" data-requires-python="&gt;=3.8,&lt;4" data-yanked="vigil: &lt;too new&gt; &amp; risky" data-core-metadata="sha256=dd" data-dist-info-metadata="sha256=dd" data-gpg-sig="true" data-provenance="https://p.example/prov">demo-2.0-py3-none-any.whl</a><br />
  </body>
</html>
<!--SERIAL 42-->
`
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("RenderHTML mismatch (-want +got):\n%s", diff)
	}
}

// comparableFiles drops what a representation cannot carry.
func comparableFiles(files []File, html bool) []File {
	out := make([]File, len(files))
	for i, f := range files {
		if html {
			f.Size, f.UploadTime = -1, time.Time{}
			if frag := hashFragment(f.Hashes); frag != "" {
				f.Hashes = parseHashFragment(frag)
			} else {
				f.Hashes = map[string]string{}
			}
			if f.CoreMetadata != nil {
				if frag := hashFragment(f.CoreMetadata); frag != "" {
					f.CoreMetadata = parseHashFragment(frag)
				}
			}
		}
		out[i] = f
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	page := mustURL(t, "https://files.example/simple/demo/")
	for _, format := range []string{"json", "html"} {
		src := sampleProject()
		var buf bytes.Buffer
		var got *Project
		var err error
		if format == "json" {
			if err = src.RenderJSON(&buf); err == nil {
				got, err = ParseSimpleJSON(buf.Bytes(), page)
			}
		} else {
			if err = src.RenderHTML(&buf); err == nil {
				got, err = ParseSimpleHTML(buf.Bytes(), page)
			}
		}
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if diff := cmp.Diff(comparableFiles(src.Files, format == "html"), got.Files); diff != "" {
			t.Errorf("%s round trip files (-want +got):\n%s", format, diff)
		}
		if got.Status != src.Status || got.StatusReason != src.StatusReason || got.Name != src.Name || got.LastSerial != src.LastSerial {
			t.Errorf("%s round trip project = %+v", format, got)
		}
	}
}

func TestProjectFilter(t *testing.T) {
	t.Parallel()
	p := sampleProject()
	p.Versions = []string{"0.5", "1.0", "2.0"}
	got := p.Filter(func(f *File) bool {
		f.URL = "https://vigil.example/" + f.Filename
		return f.Version != "2.0"
	})
	if diff := cmp.Diff([]string{"0.5", "1.0"}, got.Versions); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
	if len(got.Files) != 1 || got.Files[0].URL != "https://vigil.example/demo-1.0.tar.gz" {
		t.Errorf("files = %+v", got.Files)
	}
	if p.Files[0].URL != "https://files.example/p/demo-1.0.tar.gz" || len(p.Versions) != 3 {
		t.Errorf("Filter modified its receiver: %+v", p)
	}
}

package pypitest_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/blake2b"

	"github.com/vigil-proxy/vigil-proxy/pypi"
	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
)

var day = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

func newDemo(t *testing.T) *pypitest.Server {
	t.Helper()
	return pypitest.NewServer(t, pypitest.Project{
		Name:        "Requests_Toolbelt",
		ProjectURLs: map[string]string{"Source": "https://github.com/requests/toolbelt"},
		HomePage:    "https://toolbelt.example",
		Dists: []pypitest.Dist{
			{Version: "0.9.1", Uploaded: day.Add(-48 * time.Hour), Kind: "sdist"},
			{Version: "1.0.0", Uploaded: day, RequiresPython: ">=3.7", Deps: []string{"requests<3,>=2.0.1"}},
			{Version: "1.1.0", Uploaded: day.Add(time.Hour), Yanked: "oops"},
		},
	})
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func do(t *testing.T, method, url string, hdr map[string]string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", url, err)
	}
	return response{resp.StatusCode, resp.Header, body}
}

func TestSimpleRoutes(t *testing.T) {
	t.Parallel()
	s := newDemo(t)
	tests := []struct {
		path, accept string
		status       int
		ctype        string
		location     string
		bodyHas      string
	}{
		{"/simple/requests-toolbelt/", "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01", 200, pypi.MediaTypeJSON, "", `"api-version":"1.4"`},
		{"/simple/requests-toolbelt/", "", 200, "text/html; charset=utf-8", "", `data-requires-python="&gt;=3.7"`},
		{"/simple/requests-toolbelt/", "application/vnd.pypi.simple.v1+html", 200, pypi.MediaTypeHTML, "", `data-yanked="oops"`},
		{"/simple/Requests_Toolbelt/", "", 301, "", "/simple/requests-toolbelt/", ""},
		{"/simple/requests-toolbelt", "", 301, "", "/simple/requests-toolbelt/", ""},
		{"/simple/nope/", "", 404, "text/plain; charset=utf-8", "", "404 Not Found"},
		{"/simple/", "application/vnd.pypi.simple.v1+json", 200, pypi.MediaTypeJSON, "", `"name":"requests-toolbelt"`},
		{"/elsewhere", "", 404, "text/plain; charset=utf-8", "", "404 Not Found"},
	}
	for _, tt := range tests {
		r := do(t, http.MethodGet, s.URL+tt.path, map[string]string{"Accept": tt.accept})
		if r.status != tt.status {
			t.Errorf("GET %s (%q): status %d, want %d", tt.path, tt.accept, r.status, tt.status)
			continue
		}
		if tt.ctype != "" && r.header.Get("Content-Type") != tt.ctype {
			t.Errorf("GET %s (%q): Content-Type %q, want %q", tt.path, tt.accept, r.header.Get("Content-Type"), tt.ctype)
		}
		if tt.location != "" && r.header.Get("Location") != tt.location {
			t.Errorf("GET %s: Location %q, want %q", tt.path, r.header.Get("Location"), tt.location)
		}
		if !strings.Contains(string(r.body), tt.bodyHas) {
			t.Errorf("GET %s (%q): body lacks %q:\n%s", tt.path, tt.accept, tt.bodyHas, r.body)
		}
		if tt.status == 200 && r.header.Get("Vary") != "Accept" {
			t.Errorf("GET %s: Vary %q, want Accept", tt.path, r.header.Get("Vary"))
		}
	}
	if got := s.Requests("/simple/requests-toolbelt/"); got != 3 {
		t.Errorf("Requests = %d, want 3", got)
	}
	if got := s.TotalRequests(); got != len(tests) {
		t.Errorf("TotalRequests = %d, want %d", got, len(tests))
	}
}

func TestSimplePagesParse(t *testing.T) {
	t.Parallel()
	s := newDemo(t)
	page := s.URL + "/simple/requests-toolbelt/"
	for _, accept := range []string{pypi.SimpleJSONAccept, "text/html"} {
		r := do(t, http.MethodGet, page, map[string]string{"Accept": accept})
		u := mustParse(t, page)
		var p *pypi.Project
		var err error
		if r.header.Get("Content-Type") == pypi.MediaTypeJSON {
			p, err = pypi.ParseSimpleJSON(r.body, u)
		} else {
			p, err = pypi.ParseSimpleHTML(r.body, u)
		}
		if err != nil {
			t.Fatalf("%s: parse: %v", accept, err)
		}
		if p.Name != "requests-toolbelt" || p.APIVersion != "1.4" || len(p.Files) != 3 {
			t.Fatalf("%s: project = %+v", accept, p)
		}
		files := s.Files("requests-toolbelt")
		for i, f := range p.Files {
			if f.Filename != files[i].Filename || f.URL != files[i].URL || f.Hashes["sha256"] != files[i].SHA256 {
				t.Errorf("%s: file %d = %+v, want %+v", accept, i, f, files[i])
			}
		}
		wheel := p.Files[1]
		if wheel.Version != "1.0.0" || wheel.RequiresPython != ">=3.7" || wheel.CoreMetadata["sha256"] != files[1].MetadataSHA256 {
			t.Errorf("%s: wheel = %+v", accept, wheel)
		}
		if !p.Files[2].Yanked || p.Files[2].YankedReason != "oops" || p.Files[0].CoreMetadata != nil {
			t.Errorf("%s: yank / sdist metadata wrong: %+v", accept, p.Files)
		}
		if accept == pypi.SimpleJSONAccept && (!wheel.UploadTime.Equal(day) || wheel.Size != files[1].Size) {
			t.Errorf("json: upload-time %v size %d, want %v %d", wheel.UploadTime, wheel.Size, day, files[1].Size)
		}
	}
}

func TestFilesAndMetadata(t *testing.T) {
	t.Parallel()
	s := newDemo(t)
	files := s.Files("requests_toolbelt")
	wheel := files[1]
	if wheel.Filename != "requests_toolbelt-1.0.0-py3-none-any.whl" || !strings.HasPrefix(s.FilesURL, "http://"+s.FilesHost()) {
		t.Fatalf("wheel = %+v, files host %q", wheel, s.FilesHost())
	}
	r := do(t, http.MethodGet, wheel.URL, nil)
	if r.status != 200 {
		t.Fatalf("GET wheel: %d", r.status)
	}
	sum := sha256.Sum256(r.body)
	b2 := blake2b.Sum256(r.body)
	if hex.EncodeToString(sum[:]) != wheel.SHA256 || hex.EncodeToString(b2[:]) != wheel.Blake2b256 || !strings.Contains(wheel.Path, "/"+wheel.Blake2b256[:2]+"/"+wheel.Blake2b256[2:4]+"/"+wheel.Blake2b256[4:]+"/") {
		t.Errorf("digests/path do not match the served bytes: %+v", wheel)
	}
	zr, err := zip.NewReader(bytes.NewReader(r.body), int64(len(r.body)))
	if err != nil {
		t.Fatalf("wheel is not a zip: %v", err)
	}
	contents := map[string][]byte{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		contents[zf.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	record := string(contents["requests_toolbelt-1.0.0.dist-info/RECORD"])
	for name, data := range contents {
		if strings.HasSuffix(name, "/RECORD") {
			continue
		}
		h := sha256.Sum256(data)
		line := name + ",sha256=" + base64.RawURLEncoding.EncodeToString(h[:]) + ","
		if !strings.Contains(record, line) {
			t.Errorf("RECORD lacks %q:\n%s", line, record)
		}
	}
	meta := do(t, http.MethodGet, wheel.URL+".metadata", nil)
	if !bytes.Equal(meta.body, contents["requests_toolbelt-1.0.0.dist-info/METADATA"]) {
		t.Errorf(".metadata differs from the wheel's METADATA")
	}
	ms := sha256.Sum256(meta.body)
	if hex.EncodeToString(ms[:]) != wheel.MetadataSHA256 || !strings.Contains(string(meta.body), "Requires-Dist: requests<3,>=2.0.1\n") {
		t.Errorf("metadata hash/content wrong:\n%s", meta.body)
	}
	head := do(t, http.MethodHead, wheel.URL, nil)
	if head.status != 200 || head.header.Get("Content-Length") != jsonInt(wheel.Size) || len(head.body) != 0 {
		t.Errorf("HEAD: %d len=%s body=%d", head.status, head.header.Get("Content-Length"), len(head.body))
	}
	rng := do(t, http.MethodGet, wheel.URL, map[string]string{"Range": "bytes=-22"})
	if rng.status != http.StatusPartialContent || !bytes.Equal(rng.body, r.body[len(r.body)-22:]) {
		t.Errorf("Range: status %d, %d bytes", rng.status, len(rng.body))
	}
	if r := do(t, http.MethodGet, files[0].URL+".metadata", nil); r.status != 404 {
		t.Errorf("sdist .metadata: status %d, want 404", r.status)
	}
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestJSONAPI(t *testing.T) {
	t.Parallel()
	s := newDemo(t)
	r := do(t, http.MethodGet, s.URL+"/pypi/requests-toolbelt/json", nil)
	if r.status != 200 || r.header.Get("Content-Type") != `application/json; charset="UTF-8"` {
		t.Fatalf("status %d, type %q", r.status, r.header.Get("Content-Type"))
	}
	doc, err := pypi.ParseProjectDoc(r.body)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Name != "Requests_Toolbelt" || doc.Version != "1.0.0" || doc.HomePage != "https://toolbelt.example" ||
		doc.ProjectURLs["Source"] != "https://github.com/requests/toolbelt" || len(doc.Releases) != 3 || len(doc.URLs) != 1 {
		t.Errorf("doc = %+v", doc)
	}
	if f := doc.Releases["1.1.0"][0]; !f.Yanked || f.YankedReason != "oops" || !f.UploadTime.Equal(day.Add(time.Hour)) || f.PackageType != "bdist_wheel" {
		t.Errorf("1.1.0 file = %+v", f)
	}
	if f := doc.Releases["0.9.1"][0]; f.PackageType != "sdist" || f.SHA256 != s.Files("requests-toolbelt")[0].SHA256 {
		t.Errorf("0.9.1 file = %+v", f)
	}
	var raw map[string]any
	if err := json.Unmarshal(r.body, &raw); err != nil {
		t.Fatal(err)
	}
	digests := raw["urls"].([]any)[0].(map[string]any)["digests"].(map[string]any)
	for _, k := range []string{"sha256", "md5", "blake2b_256"} {
		if digests[k] == "" || digests[k] == nil {
			t.Errorf("digests lack %s: %v", k, digests)
		}
	}
	v := do(t, http.MethodGet, s.URL+"/pypi/requests-toolbelt/1.1.0/json", nil)
	vdoc, err := pypi.ParseProjectDoc(v.body)
	if err != nil || vdoc.Version != "1.1.0" || vdoc.Releases != nil || !vdoc.Yanked || vdoc.YankedReason != "oops" {
		t.Errorf("version route: %+v, %v\n%s", vdoc, err, v.body)
	}
	for path, want := range map[string]int{
		"/pypi/Requests_Toolbelt/json":        301,
		"/pypi/requests-toolbelt/9.9/json":    404,
		"/pypi/nope/json":                     404,
		"/pypi/requests-toolbelt/1.0.0/json/": 200,
		"/pypi/requests-toolbelt/1.0/json":    200, // canonicalized like Warehouse
	} {
		r := do(t, http.MethodGet, s.URL+path, nil)
		if r.status != want {
			t.Errorf("GET %s: %d, want %d", path, r.status, want)
		}
		if want == 404 && string(r.body) != `{"message": "Not Found"}` {
			t.Errorf("GET %s: body %q", path, r.body)
		}
	}
}

func TestSetAndRemoveProject(t *testing.T) {
	t.Parallel()
	s := pypitest.NewServer(t)
	if r := do(t, http.MethodGet, s.URL+"/simple/later/", nil); r.status != 404 {
		t.Fatalf("before SetProject: %d", r.status)
	}
	s.SetProject(pypitest.Project{Name: "Later", Dists: []pypitest.Dist{{Version: "1.0"}}})
	if r := do(t, http.MethodGet, s.URL+"/simple/later/", nil); r.status != 200 {
		t.Fatalf("after SetProject: %d", r.status)
	}
	url := s.Files("later")[0].URL
	s.RemoveProject("LATER")
	if r := do(t, http.MethodGet, s.URL+"/simple/later/", nil); r.status != 404 {
		t.Errorf("after RemoveProject: %d", r.status)
	}
	if r := do(t, http.MethodGet, url, nil); r.status != 404 {
		t.Errorf("file after RemoveProject: %d", r.status)
	}
	s.SetProject(pypitest.Project{Name: "q", Status: "quarantined", StatusReason: "malware", Dists: []pypitest.Dist{{Version: "1.0"}}})
	r := do(t, http.MethodGet, s.URL+"/simple/q/", map[string]string{"Accept": pypi.MediaTypeJSON})
	p, err := pypi.ParseSimpleJSON(r.body, nil)
	if err != nil || p.Status != "quarantined" || p.StatusReason != "malware" || len(p.Files) != 0 {
		t.Errorf("quarantined page: %+v, %v", p, err)
	}
	if r := do(t, http.MethodGet, s.URL+"/pypi/q/json", nil); r.status != 404 {
		t.Errorf("quarantined JSON API: %d, want 404", r.status)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	s := newDemo(t)
	page := s.URL + "/simple/requests-toolbelt/"
	wheel := s.Files("requests-toolbelt")[1]

	s.SetFault("/simple/requests-toolbelt/", pypitest.Fault{Status: 503})
	if r := do(t, http.MethodGet, page, nil); r.status != 503 {
		t.Errorf("Status fault: %d", r.status)
	}
	s.SetFault("/simple/requests-toolbelt/", pypitest.Fault{Body: []byte("{broken"), ContentType: pypi.MediaTypeJSON})
	if r := do(t, http.MethodGet, page, nil); r.status != 200 || string(r.body) != "{broken" || r.header.Get("Content-Type") != pypi.MediaTypeJSON {
		t.Errorf("Body fault: %d %q", r.status, r.body)
	}
	s.SetFault("/simple/requests-toolbelt/", pypitest.Fault{Delay: 150 * time.Millisecond})
	start := time.Now()
	if r := do(t, http.MethodGet, page, nil); r.status != 200 || time.Since(start) < 150*time.Millisecond {
		t.Errorf("Delay fault: %d after %v", r.status, time.Since(start))
	}
	s.ClearFault("/simple/requests-toolbelt/")

	s.SetFault(wheel.Path, pypitest.Fault{CorruptFile: true})
	r := do(t, http.MethodGet, wheel.URL, nil)
	if sum := sha256.Sum256(r.body); r.status != 200 || hex.EncodeToString(sum[:]) == wheel.SHA256 || int64(len(r.body)) != wheel.Size {
		t.Errorf("CorruptFile: status %d, hash unchanged or size differs", r.status)
	}

	for _, f := range []pypitest.Fault{{ResetConnection: true}, {Truncate: true}} {
		s.SetFault(wheel.Path, f)
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, wheel.URL, nil)
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if err == nil {
			t.Errorf("fault %+v: request succeeded", f)
		}
		if f.Truncate && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("Truncate: error %v, want unexpected EOF", err)
		}
	}

	s.SetFault("/simple/requests-toolbelt/", pypitest.Fault{GzipBomb: true, GzipBombSize: 64 << 20})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, page, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	compressed, _ := io.ReadAll(resp.Body)
	zr, err := gzip.NewReader(bytes.NewReader(compressed))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, zr)
	if resp.Header.Get("Content-Encoding") != "gzip" || n != 64<<20 || len(compressed) > 1<<20 {
		t.Errorf("gzip bomb: %d compressed bytes expand to %d", len(compressed), n)
	}
}

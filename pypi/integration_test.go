package pypi_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/pypi"
	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
)

func get(t *testing.T, rawURL, accept string) []byte {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", rawURL, resp.Status)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAgainstFakeWarehouse drives the upstream URL helpers, both parsers,
// Facts and FilterProjectDoc against the fake PyPI.
func TestAgainstFakeWarehouse(t *testing.T) {
	t.Parallel()
	old := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	fresh := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	srv := pypitest.NewServer(t, pypitest.Project{
		Name: "Flask.Thing", HomePage: "https://gitlab.com/acme/thing",
		ProjectURLs: map[string]string{"Repository": "https://github.com/acme/thing"},
		Dists: []pypitest.Dist{
			{Version: "1.0", Uploaded: old, Kind: "sdist"},
			{Version: "1.0", Uploaded: old.Add(time.Hour)},
			{Version: "2.0", Uploaded: fresh},
		},
	})
	base, _ := url.Parse(srv.URL)
	page := pypi.SimpleURL(base, "Flask_Thing")
	pageURL, _ := url.Parse(page)
	p, err := pypi.ParseSimpleJSON(get(t, page, pypi.SimpleJSONAccept), pageURL)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := pypi.ParseProjectDoc(get(t, pypi.ProjectJSONURL(base, "Flask_Thing"), ""))
	if err != nil {
		t.Fatal(err)
	}
	pkg := pypi.Facts(p, doc)
	if pkg.Name != "flask-thing" || !pkg.Created.Equal(old) || len(pkg.Releases) != 2 || len(pkg.Releases[0].Files) != 2 ||
		!pkg.Releases[1].Published.Equal(fresh) || strings.Join(pkg.Repositories, " ") != "https://github.com/acme/thing https://gitlab.com/acme/thing" {
		t.Errorf("Facts = %+v", pkg)
	}

	// Hide the fresh release: info.version must fall back to 1.0.
	body := get(t, pypi.ProjectJSONURL(base, "flask-thing"), "")
	out, err := pypi.FilterProjectDoc(body, func(v, _ string) bool { return v != "2.0" }, func(u string) string {
		return strings.Replace(u, srv.FilesURL, "https://vigil.example/pypi/files", 1)
	})
	if err != nil {
		t.Fatal(err)
	}
	fdoc, err := pypi.ParseProjectDoc(out)
	if err != nil {
		t.Fatal(err)
	}
	if fdoc.Version != "1.0" || len(fdoc.URLs) != 2 || len(fdoc.Releases) != 1 || !strings.HasPrefix(fdoc.URLs[0].URL, "https://vigil.example/pypi/files/packages/") {
		t.Errorf("filtered doc = %+v", fdoc)
	}
	vdoc, err := pypi.ParseProjectDoc(get(t, pypi.VersionJSONURL(base, "flask-thing", "2.0"), ""))
	if err != nil || vdoc.Version != "2.0" || len(vdoc.URLs) != 1 {
		t.Errorf("version doc = %+v, %v", vdoc, err)
	}
}

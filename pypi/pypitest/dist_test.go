package pypitest_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
)

func TestSdistContents(t *testing.T) {
	t.Parallel()
	s := pypitest.NewServer(t, pypitest.Project{Name: "My.Lib", Dists: []pypitest.Dist{
		{Version: "0.3", Kind: "sdist", RequiresPython: ">=3.8", Deps: []string{"attrs>=21"}},
	}})
	f := s.Files("my-lib")[0]
	if f.Filename != "my_lib-0.3.tar.gz" || f.Kind != "sdist" || f.MetadataSHA256 != "" {
		t.Fatalf("sdist = %+v", f)
	}
	r := do(t, http.MethodGet, f.URL, nil)
	gz, err := gzip.NewReader(bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	got := map[string]string{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		got[hdr.Name] = string(b)
	}
	var names []string
	for n := range got {
		names = append(names, n)
	}
	if diff := cmp.Diff([]string{"my_lib-0.3/PKG-INFO", "my_lib-0.3/my_lib/__init__.py", "my_lib-0.3/pyproject.toml"}, sortStrings(names)); diff != "" {
		t.Errorf("sdist members (-want +got):\n%s", diff)
	}
	for _, want := range []string{"Name: My.Lib\n", "Version: 0.3\n", "Requires-Python: >=3.8\n", "Requires-Dist: attrs>=21\n"} {
		if !strings.Contains(got["my_lib-0.3/PKG-INFO"], want) {
			t.Errorf("PKG-INFO lacks %q", want)
		}
	}
	if !strings.Contains(got["my_lib-0.3/pyproject.toml"], `dependencies = ["attrs>=21"]`) {
		t.Errorf("pyproject.toml:\n%s", got["my_lib-0.3/pyproject.toml"])
	}
	// Files are reproducible: the same project yields the same bytes.
	s2 := pypitest.NewServer(t, pypitest.Project{Name: "My.Lib", Dists: []pypitest.Dist{
		{Version: "0.3", Kind: "sdist", RequiresPython: ">=3.8", Deps: []string{"attrs>=21"}},
	}})
	if s2.Files("my-lib")[0].SHA256 != f.SHA256 {
		t.Errorf("sdist bytes are not reproducible")
	}
}

func sortStrings(s []string) []string {
	slices.Sort(s)
	return s
}

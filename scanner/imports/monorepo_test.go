package imports_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/scanner"
	"github.com/vigil-proxy/vigil-proxy/scanner/deps"
	"github.com/vigil-proxy/vigil-proxy/scanner/imports"
)

// scanDir runs DEP-006 alone over one fixture repository.
func scanDir(t *testing.T, root string) []scanner.Finding {
	t.Helper()
	a := imports.New(imports.Options{Declared: deps.ForImports})
	res, err := scanner.Scan(context.Background(), scanner.Options{Root: root, Analyzers: []scanner.Analyzer{a}})
	if err != nil {
		t.Fatal(err)
	}
	return res.Findings
}

var expectMarker = regexp.MustCompile(`(#|//) EXPECT `)

// expectations are the path:line of every line carrying an EXPECT marker.
func expectations(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Base(p) == "README.md" {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		rel, _ := filepath.Rel(root, p)
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			if expectMarker.MatchString(sc.Text()) {
				out = append(out, filepath.ToSlash(rel)+":"+strconv.Itoa(n))
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// Each fixture repository is scanned on its own: the DEP-006 findings are
// exactly the lines marked EXPECT (monorepo scoping, workspace siblings,
// root declarations, namespace packages), and nothing in the correct code
// around them.
func TestMonorepoFixtures(t *testing.T) {
	dirs, err := os.ReadDir("testdata/dep006")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		n++
		t.Run(d.Name(), func(t *testing.T) {
			root := filepath.Join("testdata", "dep006", d.Name())
			want := expectations(t, root)
			var got []string
			for _, f := range scanDir(t, root) {
				if f.Rule == "DEP-006" {
					got = append(got, f.Path+":"+strconv.Itoa(f.Line))
				}
			}
			slices.Sort(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("DEP-006 findings (-want +got):\n%s", diff)
			}
		})
	}
	if n < 17 {
		t.Fatalf("%d fixture repositories, want the 17 committed", n)
	}
}

// The messages say where the import is declared instead and what to do.
func TestMonorepoMessages(t *testing.T) {
	find := func(fs []scanner.Finding, path string) scanner.Finding {
		for _, f := range fs {
			if f.Path == path {
				return f
			}
		}
		t.Fatalf("no finding at %s in %v", path, fs)
		return scanner.Finding{}
	}
	npm := scanDir(t, "testdata/dep006/npm-ws")
	pnpm := scanDir(t, "testdata/dep006/pnpm-ws")
	google := scanDir(t, "testdata/dep006/py-ns-google")
	rootreq := scanDir(t, "testdata/dep006/py-rootreq")
	for _, tc := range []struct {
		f     scanner.Finding
		parts []string
	}{
		{find(npm, "packages/web/src/format.ts"), []string{"imports lodash", "packages/api/package.json declares", "not this package's packages/web/package.json"}},
		{find(npm, "packages/web/src/client.ts"), []string{"workspace package @acme/api-client", "packages/web/package.json", `"@acme/api-client": "workspace:*"`}},
		{find(pnpm, "apps/worker/src/log.ts"), []string{"imports pino", "only package.json above", "not its own apps/worker/package.json", "hoisting"}},
		{find(google, "gcptool/bq.py"), []string{"imports google.cloud.bigquery", "no manifest declares", "distribution google-cloud-bigquery"}},
		{find(rootreq, "services/notifier/notifier.py"), []string{"imports requests", "only requirements.txt above", "services/notifier/requirements.txt"}},
	} {
		for _, p := range tc.parts {
			if !strings.Contains(tc.f.Message, p) {
				t.Errorf("%s: message %q lacks %q", tc.f.Path, tc.f.Message, p)
			}
		}
	}
	if f := find(google, "gcptool/bq.py"); f.Extra["import"] != "google.cloud.bigquery" || f.Extra["distribution"] != "google-cloud-bigquery" {
		t.Errorf("extra = %v, want import google.cloud.bigquery from google-cloud-bigquery", f.Extra)
	}
	if f := find(npm, "packages/web/src/format.ts"); f.Severity != scanner.Medium {
		t.Errorf("severity %v, want medium", f.Severity)
	}
}

package auth

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/scanner"
)

// Fixture cases live in testdata/cases/<group>/<case>/: each case is a
// small project scanned on its own. A `want: AUTH-00N` comment marks a line
// that must carry that finding; `ok: AUTH-00N` marks a trap that must not
// (the harness checks the whole set, so an unmarked finding fails too). A
// `.want-project` file lists project-level findings (rule per line).

var markerRE = regexp.MustCompile(`\b(want|ok):\s*((?:AUTH-\d{3}(?:\s*,\s*)?)+)`)

type expect struct {
	Rule string
	Path string
	Line int
}

func scanCase(t *testing.T, dir string) *scanner.Result {
	t.Helper()
	cfg := &scanner.Config{}
	if _, err := os.Stat(filepath.Join(dir, scanner.ConfigFileName)); err == nil {
		c, err := scanner.LoadConfig(filepath.Join(dir, scanner.ConfigFileName))
		if err != nil {
			t.Fatal(err)
		}
		cfg = c
	}
	res, err := scanner.Scan(context.Background(), scanner.Options{Root: dir, Config: cfg, Analyzers: []scanner.Analyzer{New(Options{Config: cfg})}, Workers: 2})
	if err != nil {
		t.Fatalf("scan %s: %v", dir, err)
	}
	return res
}

// markers reads the expectations of a case; counts tallies want/ok markers
// per rule.
func markers(t *testing.T, dir string, counts map[string][2]int) []expect {
	t.Helper()
	var want []expect
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if rel == ".want-project" {
			for _, l := range strings.Fields(string(b)) {
				want = append(want, expect{Rule: l})
				c := counts[l]
				c[0]++
				counts[l] = c
			}
			return nil
		}
		for i, line := range strings.Split(string(b), "\n") {
			for _, m := range markerRE.FindAllStringSubmatch(line, -1) {
				for _, r := range strings.Split(m[2], ",") {
					r = strings.TrimSpace(r)
					c := counts[r]
					if m[1] == "want" {
						c[0]++
						want = append(want, expect{Rule: r, Path: rel, Line: i + 1})
					} else {
						c[1]++
					}
					counts[r] = c
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return want
}

func sortExpect(e []expect) {
	slices.SortFunc(e, func(a, b expect) int {
		return strings.Compare(fmt.Sprintf("%s|%06d|%s", a.Path, a.Line, a.Rule), fmt.Sprintf("%s|%06d|%s", b.Path, b.Line, b.Rule))
	})
}

func TestFixtures(t *testing.T) {
	counts := map[string][2]int{}
	groups, err := os.ReadDir("testdata/cases")
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		cases, err := os.ReadDir(filepath.Join("testdata/cases", g.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			dir := filepath.Join("testdata/cases", g.Name(), c.Name())
			want := markers(t, dir, counts)
			t.Run(g.Name()+"/"+c.Name(), func(t *testing.T) {
				res := scanCase(t, dir)
				var got []expect
				for _, f := range res.Active() {
					got = append(got, expect{Rule: f.Rule, Path: f.Path, Line: f.Line})
				}
				sortExpect(got)
				sortExpect(want)
				if diff := cmp.Diff(want, got); diff != "" {
					for _, f := range res.Active() {
						t.Logf("%s %s:%d %s: %s", f.Rule, f.Path, f.Line, f.Severity, f.Message)
					}
					t.Errorf("findings (-want +got):\n%s", diff)
				}
				for _, e := range res.Errors {
					if !strings.Contains(e.Message, "skipped") {
						t.Errorf("file error %s: %s", e.Path, e.Message)
					}
				}
			})
		}
	}
	for _, r := range allRules {
		c := counts[r.ID]
		if c[0] < 8 || c[1] < 8 {
			t.Errorf("%s has %d positive and %d negative fixtures, want at least 8 of each", r.ID, c[0], c[1])
		}
	}
}

package main

import (
	"bufio"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// plantedRE finds "PLANTED: RULE[ RULE…]" markers in the sample apps'
// sources: each marks a finding the scan must report on that line.
var plantedRE = regexp.MustCompile(`PLANTED:((?:\s+[A-Z]+-\d+)+)`)

// plantedFindings reads the markers and the EXPECTED sidecar (for files that
// cannot carry comments) of one sample app.
func plantedFindings(t *testing.T, root string) []string {
	t.Helper()
	var want []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for line := 1; sc.Scan(); line++ {
			text := sc.Text()
			if rel == "EXPECTED" {
				if text == "" || strings.HasPrefix(text, "#") {
					continue
				}
				loc, rules, _ := strings.Cut(text, " ")
				for _, r := range strings.Fields(rules) {
					want = append(want, loc+" "+r)
				}
				continue
			}
			if m := plantedRE.FindStringSubmatch(text); m != nil {
				for _, r := range strings.Fields(m[1]) {
					want = append(want, rel+":"+strconv.Itoa(line)+" "+r)
				}
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(want)
	return slices.Compact(want)
}

func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestSampleAppsFindEveryPlantedIssueAndNothingElse scans the realistic,
// AI-generated-looking sample services under testdata/sampleapps (a FastAPI
// and an Express service with tests, manifests and .env files) and asserts
// that the findings are exactly the planted ones, each at its line.
func TestSampleAppsFindEveryPlantedIssueAndNothingElse(t *testing.T) {
	apps, err := filepath.Glob("../../testdata/sampleapps/*")
	if err != nil || len(apps) < 2 {
		t.Fatalf("sample apps: %v %v", apps, err)
	}
	for _, app := range apps {
		t.Run(filepath.Base(app), func(t *testing.T) {
			want := plantedFindings(t, app)
			dir := copyTree(t, app)
			// A project is a git work tree; nothing is committed yet, so
			// nothing is tracked and no .gitignore covers the .env file.
			if out, err := exec.Command("git", "-C", dir, "init", "-q").CombinedOutput(); err != nil {
				t.Fatalf("git init: %v %s", err, out)
			}
			code, stdout, stderr := scanCLI(t, dir, "scan", "--offline", "--no-repo-config", "-f", "json", "--fail-on", "high", ".")
			if code != 1 {
				t.Errorf("exit %d, want 1 (planted high findings)\n%s", code, stderr)
			}
			var rep struct {
				Findings []struct {
					Rule, Path, Message string
					Line                int
				}
				Errors []struct{ Path, Message string }
			}
			if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
				t.Fatalf("%v\n%s", err, stdout)
			}
			var got []string
			msgs := map[string]string{}
			for _, f := range rep.Findings {
				if f.Rule == "EXPECTED-NONE" {
					continue
				}
				key := f.Path + ":" + strconv.Itoa(f.Line) + " " + f.Rule
				got = append(got, key)
				msgs[key] = f.Message
			}
			slices.Sort(got)
			got = slices.Compact(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("findings differ from the planted ones (-planted +found):\n%s", diff)
				for _, g := range got {
					if !slices.Contains(want, g) {
						t.Logf("unexpected %s: %s", g, msgs[g])
					}
				}
			}
			for _, e := range rep.Errors {
				t.Errorf("file not fully scanned: %s: %s", e.Path, e.Message)
			}
		})
	}
}

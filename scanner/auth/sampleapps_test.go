package auth

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/scanner"
)

var plantedRE = regexp.MustCompile(`PLANTED:\s*((?:[A-Z]+-\d{3}\s*)+)`)

// TestSampleApps: the AUTH findings on the repository's sample services
// are exactly the planted AUTH issues ("PLANTED:" comments and the
// EXPECTED sidecars), at their lines.
func TestSampleApps(t *testing.T) {
	for _, app := range []string{"fastapi-todo", "express-notes"} {
		t.Run(app, func(t *testing.T) {
			dir := filepath.Join("..", "..", "testdata", "sampleapps", app)
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
				if rel == "EXPECTED" {
					sc := bufio.NewScanner(strings.NewReader(string(b)))
					for sc.Scan() {
						f := strings.Fields(sc.Text())
						if len(f) < 2 || strings.HasPrefix(f[0], "#") {
							continue
						}
						file, line, _ := strings.Cut(f[0], ":")
						n, _ := strconv.Atoi(line)
						for _, r := range f[1:] {
							if strings.HasPrefix(r, "AUTH-") {
								want = append(want, expect{Rule: r, Path: file, Line: n})
							}
						}
					}
					return nil
				}
				for i, line := range strings.Split(string(b), "\n") {
					if m := plantedRE.FindStringSubmatch(line); m != nil {
						for _, r := range strings.Fields(m[1]) {
							if strings.HasPrefix(r, "AUTH-") {
								want = append(want, expect{Rule: r, Path: rel, Line: i + 1})
							}
						}
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(want) < 5 {
				t.Fatalf("only %d planted AUTH issues found in %s", len(want), dir)
			}
			res := scanCase(t, dir)
			var got []expect
			for _, f := range res.Active() {
				if strings.HasPrefix(f.Rule, "AUTH-") {
					got = append(got, expect{Rule: f.Rule, Path: f.Path, Line: f.Line})
				}
			}
			sortExpect(got)
			sortExpect(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("AUTH findings (-planted +got):\n%s", diff)
			}
		})
	}
}

// TestSeverities: the CORS ladder, known-public secrets, test files one
// level lower, project-level findings.
func TestSeverities(t *testing.T) {
	find := func(res *scanner.Result, path string, line int, rule string) scanner.Finding {
		t.Helper()
		for _, f := range res.Active() {
			if f.Path == path && f.Line == line && f.Rule == rule {
				return f
			}
		}
		t.Fatalf("no %s at %s:%d", rule, path, line)
		return scanner.Finding{}
	}
	cors := scanCase(t, "testdata/cases/auth005/py")
	for _, c := range []struct {
		line int
		sev  scanner.Severity
	}{{10, scanner.High}, {11, scanner.Medium}, {12, scanner.High}, {13, scanner.High}, {19, scanner.High}} {
		if got := find(cors, "main.py", c.line, "AUTH-005").Severity; got != c.sev {
			t.Errorf("main.py:%d AUTH-005 severity %v, want %v", c.line, got, c.sev)
		}
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "app.py"), "from flask import Flask\nfrom flask_cors import CORS\napp = Flask(__name__)\nCORS(app)\n\n@app.get('/quotes')\ndef quotes():\n    return []\n")
	write(t, filepath.Join(dir, "tests", "test_jwt.py"), "import jwt\n\ndef test_token():\n    return jwt.encode({'exp': 1}, 'keyboard cat', algorithm='HS256')\n")
	write(t, filepath.Join(dir, "settings.py"), "INSTALLED_APPS = []\nSECRET_KEY = 'changeme'\n")
	res := scanCase(t, dir)
	if got := find(res, "app.py", 4, "AUTH-005"); got.Severity != scanner.Info {
		t.Errorf("CORS(app) in a project without authentication: %v, want info", got.Severity)
	}
	if got := find(res, "tests/test_jwt.py", 4, "AUTH-004"); got.Severity != scanner.High {
		t.Errorf("known-public secret in a test: %v, want high (critical one level lower)", got.Severity)
	}
	if got := find(res, "settings.py", 2, "AUTH-004"); got.Severity != scanner.Critical || strings.Contains(got.Message, "changeme") {
		t.Errorf("known-public Django SECRET_KEY: %v %q, want critical without the value", got.Severity, got.Message)
	}
	proj := scanCase(t, "testdata/cases/auth001/fastapi_project_level")
	if len(proj.Active()) != 1 || proj.Active()[0].Severity != scanner.Medium || proj.Active()[0].Path != "" {
		t.Errorf("project-level finding: %+v", proj.Active())
	}
}

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

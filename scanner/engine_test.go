package scanner

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// markerAnalyzer raises TST-001 on every line containing "FINDME" in code
// and config files, and records which files it saw and whether code files
// arrived parsed.
type markerAnalyzer struct {
	mu       sync.Mutex
	seen     []string
	unparsed []string
	panicOn  string
}

var markerRule = RuleInfo{ID: "TST-001", Name: "Marker", Title: "Marker found", Category: CategorySecrets, Severity: High, Security: true, CWE: []int{798}, Fix: "Remove the marker.", Impact: "Markers leak."}
var markerInfoRule = RuleInfo{ID: "TST-002", Name: "Quiet", Title: "Quiet marker", Category: CategoryTests, Severity: Low}

func (m *markerAnalyzer) Rules() []RuleInfo { return []RuleInfo{markerRule, markerInfoRule} }
func (m *markerAnalyzer) Wants(p string) bool {
	return strings.HasSuffix(p, ".py") || strings.HasSuffix(p, ".js") || strings.HasSuffix(p, ".env") || strings.HasSuffix(p, ".txt")
}

func (m *markerAnalyzer) Analyze(_ context.Context, f *File) ([]Finding, error) {
	m.mu.Lock()
	m.seen = append(m.seen, f.Path)
	if f.Lang != 0 && f.Tree == nil {
		m.unparsed = append(m.unparsed, f.Path)
	}
	m.mu.Unlock()
	if m.panicOn != "" && f.Path == m.panicOn {
		panic("boom")
	}
	var out []Finding
	for i := 1; i <= f.LineCount(); i++ {
		if strings.Contains(f.Line(i), "FINDME") {
			fd := f.AtLine(markerRule, i, "marker on line")
			if f.Test {
				fd.Severity = fd.Severity.Lower()
			}
			out = append(out, fd)
		}
		if strings.Contains(f.Line(i), "QUIETME") {
			out = append(out, f.AtLine(markerInfoRule, i, "quiet marker"))
		}
	}
	return out, nil
}

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func scanTree(t *testing.T, root string, opts Options, a *markerAnalyzer) *Result {
	t.Helper()
	opts.Root = root
	opts.Analyzers = []Analyzer{a}
	res, err := Scan(context.Background(), opts)
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	return res
}

func places(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, location(f)+" "+f.Rule+" "+f.Severity.String())
	}
	return out
}

func TestWalkHonoursIgnoresAndSkipsVendoredTrees(t *testing.T) {
	root := writeTree(t, map[string]string{
		".gitignore":                  "*.log\nsecret/\n!keep.log\n",
		"app/main.py":                 "x = 1  # FINDME\n",
		"app/debug.log":               "FINDME\n",
		"keep.log":                    "FINDME\n",
		"secret/a.py":                 "FINDME\n",
		"sub/.gitignore":              "generated.py\n/only_here.js\n",
		"sub/generated.py":            "FINDME\n",
		"sub/only_here.js":            "// FINDME\n",
		"sub/deeper/only_here.js":     "// FINDME\n",
		"node_modules/lib/index.js":   "// FINDME\n",
		"venv2/pyvenv.cfg":            "home = /usr\n",
		"venv2/lib/x.py":              "FINDME\n",
		"pkg.egg-info/x.py":           "FINDME\n",
		"dist/bundle.js":              "// FINDME\n",
		"web/app.min.js":              "// FINDME\n",
		"web/app.js":                  "// FINDME\n",
		"excluded/x.py":               "FINDME\n",
		"tests/test_app.py":           "def test_x():\n    assert 1  # FINDME\n",
		"notes.txt":                   "FINDME\n",
		".git/config":                 "FINDME\n",
		"site-packages/requests/x.py": "FINDME\n",
	})
	a := &markerAnalyzer{}
	res := scanTree(t, root, Options{Exclude: []string{"excluded/**"}}, a)
	want := []string{
		"app/main.py:1 TST-001 high",
		"notes.txt:1 TST-001 high",
		"sub/deeper/only_here.js:1 TST-001 high",
		"tests/test_app.py:2 TST-001 medium",
		"web/app.js:1 TST-001 high",
	}
	if diff := cmp.Diff(want, places(res.Findings)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if len(a.unparsed) != 0 {
		t.Errorf("code files not parsed: %v", a.unparsed)
	}
}

func TestGitignoreAboveTheScanRootApplies(t *testing.T) {
	top := writeTree(t, map[string]string{
		".gitignore":          "/versions/gen/\n*.log\n",
		".git/info/exclude":   "secret.py\n",
		"versions/.gitignore": "!keep.log\n",
		"versions/app.py":     "# FINDME\n",
		"versions/gen/x.py":   "# FINDME\n",
		"versions/a.log":      "FINDME\n",
		"versions/secret.py":  "# FINDME\n",
		"versions/b.txt":      "FINDME\n",
	})
	res := scanTree(t, filepath.Join(top, "versions"), Options{}, &markerAnalyzer{})
	if diff := cmp.Diff([]string{"app.py:1 TST-001 high", "b.txt:1 TST-001 high"}, places(res.Findings)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestAnIgnoredScanRootIsStillScanned(t *testing.T) {
	top := writeTree(t, map[string]string{
		".gitignore":                    "/versions\n",
		".git/HEAD":                     "ref\n",
		"versions/lib/app.py":           "# FINDME\n",
		"versions/lib/.gitignore":       "gen/\n",
		"versions/lib/gen/generated.py": "# FINDME\n",
	})
	res := scanTree(t, filepath.Join(top, "versions", "lib"), Options{}, &markerAnalyzer{})
	if diff := cmp.Diff([]string{"app.py:1 TST-001 high"}, places(res.Findings)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestPerFileProblemsAreReportedNotFatal(t *testing.T) {
	root := writeTree(t, map[string]string{
		"big.py":    "# FINDME\n" + strings.Repeat("x = 1\n", 300),
		"bin.txt":   "FINDME\x00\x01",
		"boom.py":   "FINDME\n",
		"ok.py":     "FINDME\n",
		"broken.py": "def f(:\n  FINDME\n",
	})
	a := &markerAnalyzer{panicOn: "boom.py"}
	res := scanTree(t, root, Options{MaxFileSize: 1000}, a)
	if diff := cmp.Diff([]string{"broken.py:2 TST-001 high", "ok.py:1 TST-001 high"}, places(res.Findings)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	got := map[string]string{}
	for _, e := range res.Errors {
		got[e.Path] = e.Message
	}
	for path, want := range map[string]string{"big.py": "over the 1000-byte limit", "bin.txt": "binary", "boom.py": "internal error"} {
		if !strings.Contains(got[path], want) {
			t.Errorf("error for %s = %q, want it to mention %q", path, got[path], want)
		}
	}
}

func TestInlineSuppressions(t *testing.T) {
	root := writeTree(t, map[string]string{
		"a.py": strings.Join([]string{
			"x = 1  # FINDME  # vigil-ignore: TST-001 -- test value, never deployed",
			"# vigil-ignore: TST-001, SEC-002 -- reviewed in PR 12",
			"y = 2  # FINDME",
			"z = 3  # FINDME  # vigil-ignore: TST-001",
			"w = 4  # FINDME  # vigil-ignore: AUTH-001 -- other rule",
			"",
		}, "\n"),
		"b.js": "const a = 1 // FINDME vigil-ignore: TST-001 -- fixture\n",
	})
	res := scanTree(t, root, Options{IncludeVendored: false}, &markerAnalyzer{})
	var active, suppressed []string
	for _, f := range res.Findings {
		if f.Suppressed != nil {
			suppressed = append(suppressed, location(f)+" "+f.Suppressed.Reason)
		} else {
			active = append(active, location(f)+" "+f.Rule)
		}
	}
	wantActive := []string{"a.py:4 SUP-001", "a.py:4 TST-001", "a.py:5 TST-001"}
	wantSuppressed := []string{"a.py:1 test value, never deployed", "a.py:3 reviewed in PR 12", "b.js:1 fixture"}
	if diff := cmp.Diff(wantActive, active); diff != "" {
		t.Errorf("active (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantSuppressed, suppressed); diff != "" {
		t.Errorf("suppressed (-want +got):\n%s", diff)
	}
}

func TestLockedRulesCannotBeSuppressed(t *testing.T) {
	root := writeTree(t, map[string]string{"a.py": "x = 1  # FINDME  # vigil-ignore: TST-001 -- we like it\ny = 2  # QUIETME  # vigil-ignore: TST-002 -- fine\n"})
	res := scanTree(t, root, Options{Locked: []string{"TST-001"}}, &markerAnalyzer{})
	if diff := cmp.Diff([]string{"a.py:1 TST-001 high"}, places(res.Active())); diff != "" {
		t.Errorf("active (-want +got):\n%s", diff)
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "1 suppression") {
		t.Errorf("notes = %v", res.Notes)
	}
}

func TestBaselineSurvivesLineShifts(t *testing.T) {
	root := writeTree(t, map[string]string{"a.py": "x = 1  # FINDME\ny = 2  # FINDME\n"})
	res := scanTree(t, root, Options{}, &markerAnalyzer{})
	bl := NewBaseline(res.Findings)
	path := filepath.Join(t.TempDir(), "baseline.json")
	if err := bl.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	// Insert lines above and add one new finding.
	if err := os.WriteFile(filepath.Join(root, "a.py"), []byte("import os\n\nx = 1  # FINDME\nz = 3  # FINDME\ny = 2  # FINDME\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadBaseline(path)
	if err != nil {
		t.Fatal(err)
	}
	res = scanTree(t, root, Options{Baseline: loaded}, &markerAnalyzer{})
	if diff := cmp.Diff([]string{"a.py:4 TST-001 high"}, places(res.Active())); diff != "" {
		t.Errorf("active after shift (-want +got):\n%s", diff)
	}
	if n := suppressedCount(res); n != 2 {
		t.Errorf("baseline suppressed %d findings, want 2", n)
	}
}

type supersedingAnalyzer struct{ markerAnalyzer }

var preciseRule = RuleInfo{ID: "TST-009", Category: CategorySecrets, Severity: Critical, Supersedes: []string{"TST-001"}}

func (s *supersedingAnalyzer) Rules() []RuleInfo {
	return append(s.markerAnalyzer.Rules(), preciseRule)
}
func (s *supersedingAnalyzer) Analyze(ctx context.Context, f *File) ([]Finding, error) {
	fs, err := s.markerAnalyzer.Analyze(ctx, f)
	for i := 1; i <= f.LineCount(); i++ {
		if strings.Contains(f.Line(i), "SINK") {
			fs = append(fs, f.AtLine(preciseRule, i, "precise"))
		}
	}
	return fs, err
}

func TestSupersededFindingsAreDropped(t *testing.T) {
	root := writeTree(t, map[string]string{"a.py": "x = 1  # FINDME SINK\ny = 2  # FINDME\n"})
	res, err := Scan(context.Background(), Options{Root: root, Analyzers: []Analyzer{&supersedingAnalyzer{}}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a.py:1 TST-009 critical", "a.py:2 TST-001 high"}, places(res.Findings)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestConfigSelectsRulesAndSeverities(t *testing.T) {
	root := writeTree(t, map[string]string{"a.py": "# FINDME\n# QUIETME\n", "tests/test_a.py": "# FINDME\n"})
	cfg, err := ParseConfig([]byte("rules:\n  TST-001: {severity: critical}\n  TST-002: {enabled: false, reason: too noisy}\n"), ".vigil.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res := scanTree(t, root, Options{Config: cfg}, &markerAnalyzer{})
	if diff := cmp.Diff([]string{"a.py:1 TST-001 critical", "tests/test_a.py:1 TST-001 high"}, places(res.Findings)); diff != "" {
		t.Errorf("with config (-want +got):\n%s", diff)
	}
	res = scanTree(t, root, Options{Categories: []Category{CategoryTests}}, &markerAnalyzer{})
	if diff := cmp.Diff([]string{"a.py:2 TST-002 low"}, places(res.Findings)); diff != "" {
		t.Errorf("-C tests (-want +got):\n%s", diff)
	}
	res = scanTree(t, root, Options{Rules: []string{"tst-001"}, Only: []string{"tests"}}, &markerAnalyzer{})
	if diff := cmp.Diff([]string{"tests/test_a.py:1 TST-001 medium"}, places(res.Findings)); diff != "" {
		t.Errorf("--rule and Only (-want +got):\n%s", diff)
	}
}

func TestParseConfigErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"fail_on: severe\n", "fail_on"},
		{"strategy: paranoid\n", "strategy"},
		{"rules:\n  SEC-001: {severity: huge}\n", "rules.SEC-001.severity"},
		{"rules: [1, 2]\n", "cannot unmarshal"},
		{"exclude: ['']\n", "empty pattern"},
	} {
		_, err := ParseConfig([]byte(tc.in), ".vigil.yaml")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseConfig(%q) error = %v, want it to mention %q", tc.in, err, tc.want)
		}
	}
	c, err := ParseConfig([]byte("rules:\n  AUTH-003: {enabled: false}\n  TEST-002: {min_assertions: 2}\n  AUTH-003x: {max_lifetime: 7d}\nversion: 2\n"), ".vigil.yaml")
	if err != nil {
		t.Fatalf("original vigil shape: %v", err)
	}
	if e := c.Rule("AUTH-003").Enabled; e == nil || *e {
		t.Errorf("AUTH-003 enabled = %v, want false", e)
	}
	if got := c.IntOption("TEST-002", "min_assertions", 1); got != 2 {
		t.Errorf("min_assertions = %d, want 2", got)
	}
	if got := c.DurationOption("AUTH-003x", "max_lifetime", 0); got.Hours() != 168 {
		t.Errorf("max_lifetime = %v, want 168h", got)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], `"version"`) {
		t.Errorf("warnings = %v, want one about the unknown key", c.Warnings)
	}
}

func TestFindConfigStopsAtRepositoryTop(t *testing.T) {
	outer := writeTree(t, map[string]string{".vigil.yaml": "fail_on: low\n", "repo/.git/HEAD": "ref\n", "repo/src/a.py": ""})
	if p, ok := FindConfig(filepath.Join(outer, "repo", "src")); ok {
		t.Errorf("FindConfig crossed the repository top: %s", p)
	}
	if err := os.WriteFile(filepath.Join(outer, "repo", ".vigil.yaml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if p, ok := FindConfig(filepath.Join(outer, "repo", "src")); !ok || p != filepath.Join(outer, "repo", ".vigil.yaml") {
		t.Errorf("FindConfig = %q, %v", p, ok)
	}
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestChangedFiles(t *testing.T) {
	upstream := writeTree(t, map[string]string{"a.py": "a\n", "b.py": "b\n", "lib/c.py": "c\n"})
	git(t, upstream, "init", "-q")
	git(t, upstream, "add", ".")
	git(t, upstream, "commit", "-qm", "base")
	work := filepath.Join(t.TempDir(), "work")
	git(t, filepath.Dir(work), "clone", "-q", upstream, work)
	git(t, work, "checkout", "-qb", "feature")
	if err := os.WriteFile(filepath.Join(work, "a.py"), []byte("changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, work, "commit", "-qam", "change a")
	for name, content := range map[string]string{"lib/c.py": "edited\n", "new.py": "untracked\n", "ignored.log": "x\n", ".gitignore": "*.log\n"} {
		if err := os.WriteFile(filepath.Join(work, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files, warning, err := ChangedFiles(context.Background(), work, "")
	if err != nil || warning != "" {
		t.Fatalf("ChangedFiles: %v %q", err, warning)
	}
	slices.Sort(files)
	if diff := cmp.Diff([]string{".gitignore", "a.py", "lib/c.py", "new.py"}, files); diff != "" {
		t.Errorf("changed (-want +got):\n%s", diff)
	}
	// From a subdirectory, paths are relative to it.
	files, _, err = ChangedFiles(context.Background(), filepath.Join(work, "lib"), "")
	if err != nil || !slices.Equal(files, []string{"c.py"}) {
		t.Errorf("from lib/: %v, %v", files, err)
	}
	// A shallow clone whose base is missing: whole tree with a warning.
	shallow := filepath.Join(t.TempDir(), "shallow")
	git(t, filepath.Dir(shallow), "clone", "-q", "--depth=1", "file://"+work, shallow)
	_, _, err = ChangedFiles(context.Background(), shallow, "deadbeef")
	if err == nil || !strings.Contains(err.Error(), "not a commit") {
		t.Errorf("unknown base: err = %v", err)
	}
	git(t, upstream, "commit", "-q", "--allow-empty", "-m", "later")
	git(t, shallow, "fetch", "-q", "--depth=1", "origin", "main:refs/remotes/origin/main")
	_, warning, err = ChangedFiles(context.Background(), shallow, "origin/main")
	if err != nil || !strings.Contains(warning, "shallow") {
		t.Errorf("shallow: warning %q, err %v", warning, err)
	}
	_, _, err = ChangedFiles(context.Background(), t.TempDir(), "")
	if err == nil {
		t.Error("outside a git work tree: no error")
	}
}

func TestScanRootErrors(t *testing.T) {
	_, err := Scan(context.Background(), Options{Root: filepath.Join(t.TempDir(), "missing")})
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing root: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Scan(ctx, Options{Root: writeTree(t, map[string]string{"a.py": "x"}), Analyzers: []Analyzer{&markerAnalyzer{}}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled scan: %v", err)
	}
}

func TestIsTestPath(t *testing.T) {
	for p, want := range map[string]bool{
		"tests/test_api.py": true, "app/test_api.py": true, "app/api_test.py": true, "conftest.py": true,
		"src/__tests__/a.js": true, "src/a.test.ts": true, "src/a.spec.tsx": true, "testdata/x.env": true,
		"app/main.py": false, "src/contest.py": false, "latest/app.js": false, "src/attestation.ts": false,
	} {
		if got := IsTestPath(p); got != want {
			t.Errorf("IsTestPath(%q) = %v, want %v", p, got, want)
		}
	}
}

// treeDecliner wants no tree for files holding "NOTREE".
type treeDecliner struct{ markerAnalyzer }

func (d *treeDecliner) NeedsTree(_ string, content []byte) bool {
	return !strings.Contains(string(content), "NOTREE")
}

func TestTreeFiltersDecideParsingAndAreCounted(t *testing.T) {
	root := writeTree(t, map[string]string{
		"a.py":      "x = 1\n",
		"b.py":      "y = 2  # NOTREE\n",
		"c.js":      "// NOTREE\n",
		"notes.txt": "no code\n",
	})
	for _, ignore := range []bool{false, true} {
		d := &treeDecliner{}
		res, err := Scan(context.Background(), Options{Root: root, Analyzers: []Analyzer{d}, IgnoreTreeFilters: ignore})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(d.unparsed)
		wantUnparsed, wantFiles, wantBytes := []string{"b.py", "c.js"}, 1, int64(len("x = 1\n"))
		if ignore {
			wantUnparsed, wantFiles, wantBytes = nil, 3, int64(len("x = 1\n")+len("y = 2  # NOTREE\n")+len("// NOTREE\n"))
		}
		if !slices.Equal(d.unparsed, wantUnparsed) || res.Stats.ParsedFiles != wantFiles || res.Stats.ParsedBytes != wantBytes {
			t.Errorf("IgnoreTreeFilters=%v: unparsed %v, parsed %d files, %d bytes; want %v, %d, %d",
				ignore, d.unparsed, res.Stats.ParsedFiles, res.Stats.ParsedBytes, wantUnparsed, wantFiles, wantBytes)
		}
	}
}

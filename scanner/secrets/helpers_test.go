package secrets

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/scanner"
)

// scanTree writes files into a fresh directory (a git work tree when git
// is set, with `tracked` files added) and scans it with a fresh analyzer.
func scanTree(t *testing.T, files map[string]string, opts Options, git bool, tracked ...string) *scanner.Result {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if git {
		runGit(t, dir, "init", "-q")
		if len(tracked) > 0 {
			runGit(t, dir, append([]string{"add", "-f", "--"}, tracked...)...)
		}
	}
	scan := func(parseAll bool) *scanner.Result {
		a, err := New(opts)
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		res, err := scanner.Scan(context.Background(), scanner.Options{Root: dir, Analyzers: []scanner.Analyzer{a}, Workers: 2, IgnoreTreeFilters: parseAll})
		if err != nil {
			t.Fatalf("Scan: %v", err)
		}
		return res
	}
	res := scan(false)
	// The tree filter only saves parsing: every case also checks that
	// parsing every code file finds exactly the same.
	if diff := cmp.Diff(scan(true).Findings, res.Findings); diff != "" {
		t.Errorf("findings differ with the tree filter (-parse all +filtered):\n%s", diff)
	}
	return res
}

func runGit(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.email=t@example.invalid", "-c", "user.name=t"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// secFindings drops the scanner's own findings (SUP-001).
func secFindings(res *scanner.Result) []scanner.Finding {
	var out []scanner.Finding
	for _, f := range res.Findings {
		if strings.HasPrefix(f.Rule, "SEC-") {
			out = append(out, f)
		}
	}
	return out
}

func describe(fs []scanner.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("\n  " + f.Rule + " " + f.Severity.String() + " " + f.Path + ":" + itoa(f.Line) + " " + f.Message + " | " + f.Snippet)
	}
	return b.String()
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func scanCLI(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	t.Chdir(dir)
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr, envMap(map[string]string{"CI": "true", "VIGIL_DATA_DIR": t.TempDir()}))
	return code, stdout.String(), stderr.String()
}

func writeProject(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var weakTests = map[string]string{
	"tests/test_api.py":  "def test_create(client):\n    client.post('/users', json={})\n\ndef test_ok():\n    assert add(1, 2) == 3\n",
	"tests/test_skip.py": "import pytest\n@pytest.mark.skip\ndef test_later():\n    assert f() == 1\n",
}

func TestScanExitCodesAndFailOn(t *testing.T) {
	dir := writeProject(t, weakTests)
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"scan", "--offline", "."}, 0},                        // medium + low < high
		{[]string{"scan", "--offline", "--fail-on", "medium", "."}, 1}, // TEST-001 is medium
		{[]string{"tests", "--fail-on", "low"}, 1},
		{[]string{"scan", "--offline", "--fail-on", "low", "-C", "secrets"}, 0}, // no test rules run
		{[]string{"scan", "--offline", "--fail-on", "low", "--rule", "TEST-006"}, 1},
		{[]string{"scan", "--offline", "--fail-on", "none", "--rule", "TEST-006"}, 0},
		{[]string{"scan", "--fail-on", "severe"}, 2},
		{[]string{"scan", "-C", "bogus"}, 2},
		{[]string{"scan", "--offline", "--proxy", "http://127.0.0.1:1"}, 2},
		{[]string{"scan", "missing-dir"}, 2},
		{[]string{"scan", "--no-such-flag"}, 2},
	} {
		code, stdout, stderr := scanCLI(t, dir, tc.args...)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", tc.args, code, tc.code, stdout, stderr)
		}
		if code == 2 && !strings.Contains(stderr, "vigil-proxy") && !strings.Contains(stderr, "flag") {
			t.Errorf("%v: exit 2 without an explanation: %q", tc.args, stderr)
		}
		if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
			t.Errorf("%v: stack trace on stderr:\n%s", tc.args, stderr)
		}
	}
}

func TestScanTextAndJSONReports(t *testing.T) {
	dir := writeProject(t, weakTests)
	code, stdout, _ := scanCLI(t, dir, "scan", "--fail-on", "low", "tests/")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"test_api.py", "1:5", "medium", "TEST-001", "test_skip.py", "TEST-006", "fail-on low: failed"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("text report lacks %q:\n%s", want, stdout)
		}
	}
	out := filepath.Join(t.TempDir(), "report.json")
	code, _, stderr := scanCLI(t, dir, "scan", "-f", "json", "-o", out, "--fail-on", "critical")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "report written to "+out) {
		t.Errorf("no summary on stderr: %q", stderr)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Version  int
		Summary  struct{ Failed bool }
		Findings []struct{ Rule, Path, Severity string }
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Version != 1 || rep.Summary.Failed || len(rep.Findings) != 2 {
		t.Errorf("JSON report = %+v", rep)
	}
}

func TestScanPreCommitFileArgumentsLimitTheReport(t *testing.T) {
	dir := writeProject(t, weakTests)
	if out, err := exec.Command("git", "-C", dir, "init", "-q").CombinedOutput(); err != nil {
		t.Fatalf("git init: %v %s", err, out)
	}
	code, stdout, _ := scanCLI(t, dir, "scan", "--fail-on", "low", "tests/test_skip.py")
	if code != 1 || !strings.Contains(stdout, "TEST-006") || strings.Contains(stdout, "test_api.py") {
		t.Errorf("file argument: exit %d\n%s", code, stdout)
	}
	// --changed-only in a repository without commits: everything untracked counts.
	code, stdout, _ = scanCLI(t, dir, "scan", "--changed-only", "--fail-on", "low", "--quiet")
	if code != 1 || !strings.Contains(stdout, "test_api.py") || strings.Contains(stdout, "fail-on") {
		t.Errorf("--changed-only --quiet: exit %d\n%s", code, stdout)
	}
}

func TestScanRepoConfigAndNoRepoConfig(t *testing.T) {
	files := map[string]string{".vigil.yaml": "fail_on: low\nrules:\n  TEST-006: {enabled: false, reason: tracked in issue 7}\n"}
	for k, v := range weakTests {
		files[k] = v
	}
	dir := writeProject(t, files)
	code, stdout, _ := scanCLI(t, dir, "tests")
	if code != 1 || strings.Contains(stdout, "TEST-006") || !strings.Contains(stdout, "TEST-001") {
		t.Errorf("with .vigil.yaml: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = scanCLI(t, dir, "tests", "--no-repo-config", "--fail-on", "low")
	if code != 1 || !strings.Contains(stdout, "TEST-006") {
		t.Errorf("--no-repo-config: exit %d\n%s", code, stdout)
	}
	bad := writeProject(t, map[string]string{".vigil.yaml": "fail_on: [\n"})
	if code, _, stderr := scanCLI(t, bad, "scan"); code != 2 || !strings.Contains(stderr, ".vigil.yaml") {
		t.Errorf("broken .vigil.yaml: exit %d, %q", code, stderr)
	}
}

// Every scanner rule has a row in one of the README's rule tables, and the
// row names the rule's default severity.
func TestREADMEDocumentsScannerRules(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{} // rule ID → its rows' other cells
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "| ") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		id := strings.Trim(cells[0], "`")
		rows[id] = append(rows[id], cells[1:]...)
	}
	for _, r := range scannerCatalogue() {
		cells, ok := rows[r.ID]
		if !ok {
			t.Errorf("README has no table row for %s", r.ID)
			continue
		}
		sev := r.Severity.String()
		if !slices.ContainsFunc(cells, func(c string) bool { return strings.Contains(c, sev) }) {
			t.Errorf("README's row for %s does not name its default severity %q: %q", r.ID, sev, cells)
		}
	}
}

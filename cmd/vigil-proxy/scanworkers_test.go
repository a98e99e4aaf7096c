package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --workers outside 0..256 is a usage error: -1 used to be taken silently
// and 100000 started a hundred thousand workers.
func TestScanRejectsBadWorkerCounts(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"-1", "100000"} {
		code, _, stderr := runCLI(t, nil, "", "scan", "--offline", "--workers", n, dir)
		if code != exitUsage || !strings.Contains(stderr, "--workers "+n+": want 0 (one per CPU) to 256") {
			t.Errorf("--workers %s: exit %d, stderr %q", n, code, stderr)
		}
	}
	if code, _, stderr := runCLI(t, nil, "", "scan", "--offline", "--workers", "2", dir); code != exitOK {
		t.Errorf("--workers 2 on an empty tree: exit %d, stderr %q", code, stderr)
	}
}

// The report summary counts in English: "(1 finding)", not "(1 findings)".
func TestScanReportSummaryCounts(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "tests"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tests", "test_a.py"), []byte("def test_x():\n    assert True\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "r.json")
	code, _, stderr := runCLI(t, nil, "", "scan", "--offline", "--no-repo-config", "-C", "tests", "-f", "json", "-o", out, dir)
	if code != exitOK || !strings.Contains(stderr, "json report written to "+out+" (1 finding)\n") {
		t.Errorf("exit %d, stderr %q; want exit 0 (a low finding, fail-on high) and (1 finding)", code, stderr)
	}
}

package main

import (
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

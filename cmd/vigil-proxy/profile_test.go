package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// scan --cpuprofile writes a pprof profile (gzip'd protobuf) and still
// reports as usual; an unwritable profile path is a usage error.
func TestScanWritesACPUProfile(t *testing.T) {
	dir := writeProject(t, weakTests)
	prof := filepath.Join(t.TempDir(), "scan.prof")
	code, stdout, stderr := scanCLI(t, dir, "scan", "--offline", "--fail-on", "medium", "--cpuprofile", prof, ".")
	if code != 1 || !strings.Contains(stdout, "TEST-001") {
		t.Fatalf("exit %d, want 1 with the TEST-001 finding\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	b, err := os.ReadFile(prof)
	if err != nil {
		t.Fatalf("profile not written: %v", err)
	}
	if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
		t.Fatalf("profile is not a gzip'd pprof profile: % x", b[:min(len(b), 8)])
	}

	code, _, stderr = scanCLI(t, dir, "scan", "--offline", "--cpuprofile", filepath.Join(t.TempDir(), "missing", "scan.prof"), ".")
	if code != 2 || !strings.Contains(stderr, "cpu profile") {
		t.Fatalf("unwritable profile: exit %d, stderr %q; want exit 2 naming the profile", code, stderr)
	}
}

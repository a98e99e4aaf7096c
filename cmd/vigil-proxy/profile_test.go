package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime/debug"
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

// A scan collects garbage half as often, unless the user set GOGC, and
// puts the previous setting back when it ends.
func TestScanGCTargetAndRestore(t *testing.T) {
	before := debug.SetGCPercent(150)
	defer debug.SetGCPercent(before)

	restore := tuneGCForScan(envMap(map[string]string{}))
	if got := debug.SetGCPercent(scanGCPercent); got != scanGCPercent {
		t.Errorf("during a scan the GC target is %d, want %d", got, scanGCPercent)
	}
	restore()
	if got := debug.SetGCPercent(150); got != 150 {
		t.Errorf("after the scan the GC target is %d, want the previous 150", got)
	}

	restore = tuneGCForScan(envMap(map[string]string{"GOGC": "50"}))
	if got := debug.SetGCPercent(150); got != 150 {
		t.Errorf("with GOGC set the scan changed the GC target to %d", got)
	}
	restore()
}

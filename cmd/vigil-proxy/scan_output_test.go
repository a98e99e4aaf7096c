package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The README's CI recipe writes `-o vigil.sarif` inside the checkout. A
// pull request that commits vigil.sarif.tmp as a symbolic link used to have
// the report written through it, over any file the CI user can write.
func TestScanReportIgnoresPlantedTempLink(t *testing.T) {
	dir := writeProject(t, weakTests)
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(dir, "vigil.sarif.tmp")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "vigil.sarif")
	code, _, stderr := scanCLI(t, dir, "scan", "--offline", "-f", "sarif", "-o", out, "--fail-on", "none", ".")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Errorf("the planted link's target was overwritten: %.40q", b)
	}
	raw, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(raw), `"version": "2.1.0"`) {
		t.Errorf("report not written: %v %.80q", err, raw)
	}
}

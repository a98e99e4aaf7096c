package deploytest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const unitFile = "../systemd/vigil-proxy.service"

// unitRoot lays out a file system root for systemd-analyze --root: the
// distribution's units (for the targets the unit orders against), the unit
// under test at its install path and a freshly built vigil-proxy at the
// path ExecStart names.
func unitRoot(t *testing.T, unit []byte) string {
	t.Helper()
	root := t.TempDir()
	for _, dir := range []string{"usr/local/bin", "etc/systemd/system", "usr/lib/systemd"} {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command("cp", "-r", "/usr/lib/systemd/system", filepath.Join(root, "usr/lib/systemd/")).CombinedOutput(); err != nil {
		t.Fatalf("copy the distribution's units: %v\n%s", err, out)
	}
	bin, err := os.ReadFile(vigilProxyBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "usr/local/bin/vigil-proxy"), bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "etc/systemd/system/vigil-proxy.service"), unit, 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// verify runs systemd-analyze verify; it exits 0 even for unknown keys or
// unparsable values (it only warns), so any output counts as a failure.
func verify(t *testing.T, root string) (string, error) {
	t.Helper()
	out, err := exec.Command("systemd-analyze", "verify", "--root="+root, "vigil-proxy.service").CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

func TestSystemdUnitVerifies(t *testing.T) {
	unit, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	out, err := verify(t, unitRoot(t, unit))
	if err != nil || out != "" {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	for _, directive := range []string{
		"DynamicUser=yes", "ProtectSystem=strict", "StateDirectory=vigil-proxy", "PrivateTmp=yes",
		"NoNewPrivileges=yes", "RestrictAddressFamilies=", "SystemCallFilter=@system-service",
		"CapabilityBoundingSet=\n", "ProtectHome=yes",
	} {
		if !strings.Contains(string(unit), "\n"+directive) {
			t.Errorf("unit lacks %q", strings.TrimSpace(directive))
		}
	}
}

// TestSystemdVerifyCatchesMistakes shows the check above has teeth.
func TestSystemdVerifyCatchesMistakes(t *testing.T) {
	unit, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(unit), "ProtectSystem=strict", "ProtectSystem=stricter\nProtectEverything=yes", 1)
	out, _ := verify(t, unitRoot(t, []byte(bad)))
	if !strings.Contains(out, "stricter") || !strings.Contains(out, "Unknown key 'ProtectEverything'") {
		t.Errorf("systemd-analyze verify on a broken unit printed %q, want complaints about both lines", out)
	}
}

// TestSystemdUnitExposure asks systemd-analyze security for the unit's
// exposure score (0 = fully sandboxed, 10 = none) and holds it at "OK" or better.
func TestSystemdUnitExposure(t *testing.T) {
	unit, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("systemd-analyze", "security", "--offline=true", "--root="+unitRoot(t, unit), "vigil-proxy.service").CombinedOutput()
	if err != nil {
		t.Fatalf("systemd-analyze security: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`Overall exposure level for vigil-proxy.service: ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no exposure level in:\n%s", out)
	}
	score, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("exposure level %.1f", score)
	if score > 2.0 {
		t.Errorf("exposure level %.1f, want at most 2.0:\n%s", score, out)
	}
}

package scanner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A .vigil.yaml that is a symbolic link to a file outside the directory
// holding it is refused before it is parsed: a scanned repository must not
// make the scanner quote another file (a parse error used to show its first
// 7 characters, e.g. of a CI runner's credentials). A link that stays in
// the tree works, and so does naming the outside file itself.
func TestLoadConfigRefusesLinkLeavingTheTree(t *testing.T) {
	top := t.TempDir()
	repo := filepath.Join(top, "repo")
	if err := os.MkdirAll(filepath.Join(repo, "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(top, "credentials")
	if err := os.WriteFile(outside, []byte("SUPERSECRETPASSWORD123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(repo, ConfigFileName)
	for _, target := range []string{outside, "../credentials"} {
		os.Remove(cfg)
		if err := os.Symlink(target, cfg); err != nil {
			t.Fatal(err)
		}
		c, err := LoadConfig(cfg)
		if err == nil {
			t.Fatalf("link to %s: loaded %+v, want an error", target, c)
		}
		msg := err.Error()
		if strings.Contains(msg, "SUPERSE") {
			t.Errorf("link to %s: error quotes the linked file: %s", target, msg)
		}
		for _, want := range []string{cfg, "symbolic link", "outside " + repo, "--scan-config"} {
			if !strings.Contains(msg, want) {
				t.Errorf("link to %s: error %q does not say %q", target, msg, want)
			}
		}
	}

	// Inside the tree: followed.
	if err := os.WriteFile(filepath.Join(repo, "config", "vigil.yaml"), []byte("fail_on: high\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(cfg)
	if err := os.Symlink("config/vigil.yaml", cfg); err != nil {
		t.Fatal(err)
	}
	if c, err := LoadConfig(cfg); err != nil || c.FailOn != "high" {
		t.Errorf("link inside the tree: %+v, %v; want fail_on high", c, err)
	}
	// The outside file named directly (the user's own choice) still parses
	// and reports its error as before.
	if _, err := LoadConfig(outside); err == nil || !strings.Contains(err.Error(), "cannot unmarshal") {
		t.Errorf("outside file named directly: err = %v, want its parse error", err)
	}
}

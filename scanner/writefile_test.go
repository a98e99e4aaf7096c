package scanner

import (
	"os"
	"path/filepath"
	"testing"
)

// A scanned repository may commit symbolic links next to where reports and
// baselines are written; writing used to follow them and clobber the
// target (any file the CI user can write).
func TestBaselineWriteDoesNotFollowPlantedLinks(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "repo-baseline.json")
	for _, link := range []string{out, out + ".tmp"} {
		if err := os.Symlink(victim, link); err != nil {
			t.Fatal(err)
		}
	}
	if err := NewBaseline(nil).WriteFile(out); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Errorf("the link target was overwritten: %q", b)
	}
	fi, err := os.Lstat(out)
	if err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("%s is not a regular file after writing: %v %v", out, fi, err)
	}
	if _, err := LoadBaseline(out); err != nil {
		t.Errorf("written baseline does not load: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".repo-baseline.json.*.tmp"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

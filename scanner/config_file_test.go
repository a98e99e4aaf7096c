package scanner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A repository's .vigil.yaml linked to /dev/zero used to be read without
// end until the scanner died out of memory with a runtime stack trace.
func TestLoadConfigRefusesDevicesAndHugeFiles(t *testing.T) {
	dir := t.TempDir()
	dev := filepath.Join(dir, "dev.yaml")
	if err := os.Symlink("/dev/zero", dev); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := LoadConfig(dev); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file (a device)") {
			t.Errorf("config linked to /dev/zero: err = %v, want not a regular file", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("config linked to /dev/zero: still reading after 10s")
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte("exclude: ["+strings.Repeat(`"a",`, 300_000)+"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadConfig(big); err == nil || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Errorf("1.2 MB config: err = %v, want larger than 1 MiB", err)
	}
	ok := filepath.Join(dir, "ok.yaml")
	if err := os.WriteFile(ok, []byte("fail_on: low\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if c, err := LoadConfig(ok); err != nil || c.FailOn != "low" {
		t.Errorf("ordinary config: %+v, %v", c, err)
	}
}

func TestLoadBaselineRefusesDevices(t *testing.T) {
	dev := filepath.Join(t.TempDir(), "baseline.json")
	if err := os.Symlink("/dev/zero", dev); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadBaseline(dev); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("baseline linked to /dev/zero: err = %v", err)
	}
}

// A committed .gitignore linked to /dev/zero used to run the scan out of
// memory; it is skipped like an unreadable one.
func TestGitignoreLinkedToDeviceIsSkipped(t *testing.T) {
	root := writeTree(t, map[string]string{"a.py": "FINDME\n", "sub/b.py": "FINDME\n"})
	if err := os.Mkdir(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{".gitignore", "sub/.gitignore"} {
		if err := os.Symlink("/dev/zero", filepath.Join(root, p)); err != nil {
			t.Fatal(err)
		}
	}
	type outcome struct {
		res *Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := Scan(context.Background(), Options{Root: root, Analyzers: []Analyzer{&markerAnalyzer{}}})
		done <- outcome{res, err}
	}()
	select {
	case o := <-done:
		if o.err != nil {
			t.Fatal(o.err)
		}
		if res := o.res; len(res.Findings) != 2 {
			t.Errorf("%d findings, want 2", len(res.Findings))
		}
	case <-time.After(20 * time.Second):
		t.Fatal("scan still reading a .gitignore linked to /dev/zero after 20s")
	}
}

// A committed manifest that is a named pipe would block the read (and the
// scan) forever: project files are read only when regular, and bounded.
func TestProjectReadFileRefusesSpecialAndHugeFiles(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "requirements.txt"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "big.txt"), make([]byte, 2048), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ok.txt"), []byte("flask\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &Project{Root: dir, maxRead: 1024}
	if _, err := p.ReadFile("requirements.txt"); err == nil || !strings.Contains(err.Error(), "a named pipe") {
		t.Errorf("fifo: err = %v, want not a regular file (a named pipe)", err)
	}
	if _, err := p.ReadFile("big.txt"); err == nil || !strings.Contains(err.Error(), "larger than 1024 bytes") {
		t.Errorf("2 KB file with a 1 KB limit: err = %v", err)
	}
	if b, err := p.ReadFile("ok.txt"); err != nil || string(b) != "flask\n" {
		t.Errorf("regular file: %q, %v", b, err)
	}
}

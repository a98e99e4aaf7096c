package scanner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
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

// Reports written to a stream: "-o /dev/null" as root renamed a regular
// file over the device, and a named pipe was replaced instead of read.
func TestWriteFileAtomicWritesStreamsInPlace(t *testing.T) {
	if err := WriteFileAtomic("/dev/null", []byte("report\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat("/dev/null"); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("/dev/null is no longer a character device: %v %v", fi, err)
	}

	fifo := filepath.Join(t.TempDir(), "report.pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		b, err := os.ReadFile(fifo)
		if err != nil {
			got <- "read error: " + err.Error()
			return
		}
		got <- string(b)
	}()
	if err := WriteFileAtomic(fifo, []byte("report\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "report\n" {
		t.Errorf("the pipe's reader got %q, want the report", s)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the named pipe was replaced: %v %v", fi, err)
	}
}

func TestWriteFileAtomicRefusesDirectories(t *testing.T) {
	dir := t.TempDir()
	err := WriteFileAtomic(dir, []byte("x"), 0o644)
	if err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("WriteFileAtomic(dir) = %v, want an error saying it is a directory", err)
	}
}

// "-o /dev/stdout > report.sarif": the /dev link leads (through
// /proc/self/fd/1) to a regular file. It is written where the link leads,
// after what was already written there, not replaced by a new file in /dev
// (as root) or refused (in /proc).
func TestWriteFileAtomicWritesThroughSystemLinksToFiles(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("summary\n"); err != nil {
		t.Fatal(err)
	}
	link := fmt.Sprintf("/proc/self/fd/%d", f.Fd())
	if err := WriteFileAtomic(link, []byte("report\n"), 0o644); err != nil {
		t.Fatalf("WriteFileAtomic(%s) = %v", link, err)
	}
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "summary\nreport\n" {
		t.Errorf("the redirected file holds %q, want %q", b, "summary\nreport\n")
	}
}

package scanner

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadRegularFileReadsWholeFilesUpToTheLimit(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{0, 1, 511, 512, 513, 4096, 100_000} {
		want := bytes.Repeat([]byte("ab\n"), size/3+1)[:size]
		p := filepath.Join(dir, "f")
		if err := os.WriteFile(p, want, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := ReadRegularFile(p, int64(size), "the limit")
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("size %d at the limit: got %d bytes, err %v; want the file", size, len(got), err)
		}
		if size == 0 {
			continue
		}
		if _, err := ReadRegularFile(p, int64(size-1), "the limit"); err == nil || err.Error() != "larger than the limit" {
			t.Errorf("size %d over the limit: err %v, want \"larger than the limit\"", size, err)
		}
	}
}

func TestReadRegularFileRefusesADirectory(t *testing.T) {
	_, err := ReadRegularFile(t.TempDir(), 10, "10 bytes")
	if err == nil || !strings.Contains(err.Error(), "not a regular file (a directory)") {
		t.Fatalf("err %v, want a refusal naming a directory", err)
	}
}

func TestFileLinesAndLineCol(t *testing.T) {
	f := &File{Content: []byte("one\r\ntwo\n\nfour")}
	wantLines := []string{"one", "two", "", "four"}
	if n := f.LineCount(); n != len(wantLines) {
		t.Fatalf("LineCount %d, want %d", n, len(wantLines))
	}
	for i, w := range wantLines {
		if got := f.Line(i + 1); got != w {
			t.Errorf("Line(%d) = %q, want %q", i+1, got, w)
		}
	}
	if got := f.Line(5); got != "" {
		t.Errorf("Line(5) = %q, want empty", got)
	}
	for _, c := range []struct{ off, line, col int }{{0, 1, 1}, {4, 1, 5}, {5, 2, 1}, {9, 3, 1}, {10, 4, 1}, {13, 4, 4}} {
		if l, col := f.LineCol(c.off); l != c.line || col != c.col {
			t.Errorf("LineCol(%d) = %d:%d, want %d:%d", c.off, l, col, c.line, c.col)
		}
	}
	end := &File{Content: []byte("a\n")}
	if n := end.LineCount(); n != 2 {
		t.Errorf("LineCount of %q = %d, want 2", end.Content, n)
	}
}

package admintest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fatalRecorder captures Fatalf instead of ending the test, to check the
// message a missing browser produces.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Fatalf(format string, args ...any) { r.msg = fmt.Sprintf(format, args...) }

func TestLookBin(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "fake-chromedriver")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	cases := []struct {
		name    string
		names   []string
		want    string // path found
		wantMsg string // substring of the failure
	}{
		{"in PATH", []string{"fake-chromedriver"}, exe, ""},
		{"fallback path", []string{"no-such-driver", exe}, exe, ""},
		{"missing", []string{"no-such-driver", "/nonexistent/chromedriver"}, "", "apt-get install -y chromium chromium-driver"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := &fatalRecorder{TB: t}
			got := lookBin(rec, c.names...)
			if got != c.want {
				t.Errorf("lookBin(%v) = %q, want %q", c.names, got, c.want)
			}
			if c.wantMsg == "" && rec.msg != "" {
				t.Errorf("unexpected failure: %s", rec.msg)
			}
			if c.wantMsg != "" && !strings.Contains(rec.msg, c.wantMsg) {
				t.Errorf("failure %q lacks %q", rec.msg, c.wantMsg)
			}
		})
	}
}

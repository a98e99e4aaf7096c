package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeReportsAnUnopenableStore: a store that cannot be opened (here
// store.db is a directory; in a container, a data directory the user cannot
// write) ends serve with exit code 2 and the reason, not a panic.
func TestServeReportsAnUnopenableStore(t *testing.T) {
	dataDir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dataDir, "store.db"), 0o700); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, map[string]string{
		"VIGIL_DATA_DIR":          dataDir,
		"VIGIL_LISTEN":            "127.0.0.1:0",
		"VIGIL_ADMIN_LISTEN":      "",
		"VIGIL_POPULARITY_ONLINE": "false",
		"VIGIL_LOG_FORMAT":        "text",
	}, "", "serve")
	if code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	if !strings.Contains(stderr, "open store") || strings.Contains(stderr, "panic") {
		t.Errorf("stderr %q: want the store error and no panic", stderr)
	}
}

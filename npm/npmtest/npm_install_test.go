package npmtest

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// npmEnv returns an environment that isolates npm from the machine's
// configuration: its own HOME, an empty user config and no update checks.
func npmEnv(t *testing.T, dir string) []string {
	t.Helper()
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(dir, "npmrc")
	if err := os.WriteFile(rc, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(strings.ToLower(k), "npm_config_") || k == "HOME" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HOME="+home, "npm_config_userconfig="+rc, "npm_config_update_notifier=false")
}

func readManifest(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	return m
}

// TestRealNPMInstall runs the machine's npm against the fake registry: the
// packument, dependency resolution across a scoped name, tarball download
// and integrity check all have to work for the files to land.
func TestRealNPMInstall(t *testing.T) {
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatalf("npm is required for this test: %v", err)
	}
	s := NewServer(t,
		Package{Name: "vigil-left", Versions: []Version{
			{Version: "1.0.0"},
			{Version: "1.1.0", Deps: map[string]string{"@vigil/helper": "^2.0.0"}},
			{Version: "2.0.0-beta.1"},
		}},
		Package{Name: "@vigil/helper", Versions: []Version{{Version: "2.0.0"}, {Version: "2.1.0"}}},
	)
	dir := t.TempDir()
	proj := filepath.Join(dir, "proj")
	if err := os.MkdirAll(proj, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(proj, "package.json"), []byte(`{"name":"proj","version":"1.0.0","private":true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "install", "vigil-left",
		"--registry", s.URL+"/", "--cache", filepath.Join(dir, "cache"),
		"--no-audit", "--no-fund", "--no-update-notifier", "--loglevel", "warn")
	cmd.Dir = proj
	cmd.Env = npmEnv(t, dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("npm install: %v\n%s", err, out)
	}

	for _, tc := range []struct{ dir, version string }{
		{"vigil-left", "1.1.0"},
		{"@vigil/helper", "2.1.0"},
	} {
		m := readManifest(t, filepath.Join(proj, "node_modules", filepath.FromSlash(tc.dir), "package.json"))
		if m["version"] != tc.version {
			t.Errorf("installed %s version = %v, want %s", tc.dir, m["version"], tc.version)
		}
		js, err := os.ReadFile(filepath.Join(proj, "node_modules", filepath.FromSlash(tc.dir), "index.js"))
		if err != nil {
			t.Fatalf("read index.js of %s: %v", tc.dir, err)
		}
		if want := tc.dir + "@" + tc.version; !strings.Contains(string(js), want) {
			t.Errorf("index.js of %s = %q, want it to mention %s", tc.dir, js, want)
		}
	}
	if n := s.Requests("/vigil-left"); n < 1 {
		t.Errorf("packument requests for vigil-left = %d, want ≥ 1", n)
	}
	if n := s.Requests("/@vigil/helper"); n < 1 {
		t.Errorf("packument requests for @vigil/helper = %d, want ≥ 1", n)
	}
	if n := s.Requests("/vigil-left/-/vigil-left-1.1.0.tgz"); n != 1 {
		t.Errorf("tarball requests for vigil-left 1.1.0 = %d, want 1", n)
	}
	if n := s.Requests("/@vigil/helper/-/helper-2.1.0.tgz"); n != 1 {
		t.Errorf("tarball requests for @vigil/helper 2.1.0 = %d, want 1", n)
	}
	if acc := s.LastHeader("/vigil-left").Get("Accept"); !strings.HasPrefix(acc, "application/json") {
		t.Errorf("npm install packument Accept = %q, want full metadata (application/json)", acc)
	}
}

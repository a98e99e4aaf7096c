package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestArtifactCacheSettings(t *testing.T) {
	c, err := loadConfig("", envMap(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Cache.ArtifactsMaxSize != 10<<30 || c.Upstream.Offline {
		t.Errorf("defaults: artifacts_max_size %d, offline %v; want 10GiB, false", c.Cache.ArtifactsMaxSize, c.Upstream.Offline)
	}
	c, err = loadConfig("", envMap(map[string]string{"VIGIL_CACHE_ARTIFACTS_MAX_SIZE": "500MiB", "VIGIL_UPSTREAM_OFFLINE": "true"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Cache.ArtifactsMaxSize != 500<<20 || !c.Upstream.Offline {
		t.Errorf("from env: artifacts_max_size %d, offline %v", c.Cache.ArtifactsMaxSize, c.Upstream.Offline)
	}
	path := filepath.Join(t.TempDir(), "vigil.yaml")
	if err := os.WriteFile(path, []byte("cache:\n  artifacts_max_size: 2GB\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if c, err = loadConfig(path, envMap(nil)); err != nil || c.Cache.ArtifactsMaxSize != 2_000_000_000 {
		t.Errorf("from file: %d, %v; want 2000000000", c.Cache.ArtifactsMaxSize, err)
	}
	_, err = loadConfig("", envMap(map[string]string{"VIGIL_CACHE_ARTIFACTS_MAX_SIZE": "lots"}))
	if err == nil || !strings.Contains(err.Error(), "VIGIL_CACHE_ARTIFACTS_MAX_SIZE") || !strings.Contains(err.Error(), "10GiB") {
		t.Errorf("bad size: error %v, want the variable and an example named", err)
	}
}

func TestOpenArtifactCacheDisabledByZero(t *testing.T) {
	var c Config
	d, err := openArtifactCache(c, t.TempDir(), nil)
	if err != nil || d != nil {
		t.Errorf("size 0: cache %v, err %v; want disabled", d, err)
	}
	c.Cache.ArtifactsMaxSize = 1 << 20
	dir := t.TempDir()
	if d, err = openArtifactCache(c, dir, nil); err != nil || d == nil {
		t.Fatalf("size 1MiB: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "artifacts")); err != nil || !fi.IsDir() {
		t.Errorf("artifacts directory not created: %v", err)
	}
}

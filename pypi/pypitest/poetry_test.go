package pypitest_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
)

// TestPoetryLocksFromFake runs the real Poetry (a legacy source: no Accept
// header, so the HTML page) against the fake index.
func TestPoetryLocksFromFake(t *testing.T) {
	t.Parallel()
	poetry, err := exec.LookPath("poetry")
	if err != nil {
		t.Fatalf("poetry is required for this test: %v", err)
	}
	s := pypitest.NewServer(t,
		pypitest.Project{Name: "Vigil.Demo", Dists: []pypitest.Dist{{Version: "1.0.0", Deps: []string{"vigil-dep>=0.5"}}, {Version: "1.1.0", Yanked: "bad"}}},
		pypitest.Project{Name: "vigil-dep", Dists: []pypitest.Dist{{Version: "0.5"}, {Version: "0.6", Kind: "sdist"}}},
	)
	dir := t.TempDir()
	// Poetry 1.3 syntax ("default = true"); newer Poetry accepts it with a warning.
	pyproject := `[tool.poetry]
name = "app"
version = "0.1.0"
description = ""
authors = ["Test <test@example.com>"]

[tool.poetry.dependencies]
python = "^3.8"
vigil-demo = "*"

[[tool.poetry.source]]
name = "fake"
url = "` + s.URL + `/simple/"
default = true
`
	if err := os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte(pyproject), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, poetry, "lock", "--no-interaction")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"POETRY_CACHE_DIR="+t.TempDir(), "POETRY_CONFIG_DIR="+t.TempDir(),
		"PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("poetry lock: %v\n%s", err, out)
	}
	lock, err := os.ReadFile(filepath.Join(dir, "poetry.lock"))
	if err != nil {
		t.Fatal(err)
	}
	demo := s.Files("vigil-demo")[0]
	for _, want := range []string{
		"name = \"vigil-demo\"\nversion = \"1.0.0\"",
		"name = \"vigil-dep\"\nversion = \"0.6\"",
		"sha256:" + demo.SHA256,
	} {
		if !strings.Contains(string(lock), want) {
			t.Errorf("poetry.lock lacks %q:\n%s", want, lock)
		}
	}
}

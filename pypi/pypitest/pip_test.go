package pypitest_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
)

// runPip runs the real pip against the fake index and returns its output.
func runPip(t *testing.T, index string, args ...string) (string, error) {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is required for this test: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	full := append([]string{"-m", "pip", "install", "--index-url", index, "--no-cache-dir",
		"--disable-pip-version-check", "--no-input"}, args...)
	cmd := exec.CommandContext(ctx, python, full...)
	cmd.Env = append(os.Environ(), "PIP_CONFIG_FILE="+os.DevNull, "PIP_NO_INDEX=", "PIP_EXTRA_INDEX_URL=", "PIP_FIND_LINKS=")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	return out.String(), err
}

func TestPipInstallsFromFake(t *testing.T) {
	t.Parallel()
	srv := pypitest.NewServer(t,
		pypitest.Project{Name: "Vigil_Demo.Pkg", Dists: []pypitest.Dist{
			{Version: "1.0.0"},
			{Version: "1.1.0", Deps: []string{"vigil-dep>=2"}, RequiresPython: ">=3.7"},
			{Version: "1.1.0", Kind: "sdist"},
			{Version: "2.0.0", Yanked: "broken release"},
			{Version: "3.0.0rc1"},
		}},
		pypitest.Project{Name: "vigil-dep", Dists: []pypitest.Dist{{Version: "2.0.1"}}},
	)
	target := t.TempDir()
	out, err := runPip(t, srv.URL+"/simple/", "--target", target, "vigil-demo-pkg")
	if err != nil {
		t.Fatalf("pip install: %v\n%s", err, out)
	}
	src, err := os.ReadFile(filepath.Join(target, "vigil_demo_pkg", "__init__.py"))
	if err != nil {
		t.Fatalf("installed module missing: %v\n%s", err, out)
	}
	if !strings.Contains(string(src), `__version__ = "1.1.0"`) {
		t.Errorf("installed version: got %q, want 1.1.0 (2.0.0 is yanked, 3.0.0rc1 a prerelease)", src)
	}
	if _, err := os.Stat(filepath.Join(target, "vigil_dep", "__init__.py")); err != nil {
		t.Errorf("dependency vigil-dep not installed: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(target, "vigil_demo_pkg-1.1.0.dist-info", "RECORD")); err != nil {
		t.Errorf("dist-info missing: %v", err)
	}
	files := srv.Files("vigil-demo-pkg")
	var wheel pypitest.FileInfo
	for _, f := range files {
		if f.Version == "1.1.0" && f.Kind == "wheel" {
			wheel = f
		}
	}
	if got := srv.Requests("/simple/vigil-demo-pkg/"); got < 1 {
		t.Errorf("Requests(/simple/vigil-demo-pkg/) = %d, want >= 1", got)
	}
	// pip 23.2 and later read the PEP 714 core-metadata key and fetch the
	// metadata file first; older pips (Debian 12 ships 23.0.1) look for
	// the pre-PEP 714 JSON key, which PyPI (and so the fake) no longer
	// sends, and go straight to the wheel.
	wantMeta := 0
	if pipAtLeast(t, 23, 2) {
		wantMeta = 1
	}
	if got := srv.Requests(wheel.Path + ".metadata"); got != wantMeta {
		t.Errorf("Requests(%s.metadata) = %d, want %d (PEP 658 metadata, read by pip >= 23.2)", wheel.Path, got, wantMeta)
	}
	if got := srv.Requests(wheel.Path); got != 1 {
		t.Errorf("Requests(%s) = %d, want 1", wheel.Path, got)
	}
}

func TestPipYankedPinShowsReason(t *testing.T) {
	t.Parallel()
	srv := pypitest.NewServer(t, pypitest.Project{Name: "yankme", Dists: []pypitest.Dist{
		{Version: "1.0.0", Yanked: "vigil: too new"},
	}})
	out, err := runPip(t, srv.URL+"/simple/", "--target", t.TempDir(), "yankme")
	if err == nil {
		t.Fatalf("pip install of a project with only yanked files succeeded:\n%s", out)
	}
	out, err = runPip(t, srv.URL+"/simple/", "--target", t.TempDir(), "yankme==1.0.0")
	if err != nil {
		t.Fatalf("pinned install of yanked version: %v\n%s", err, out)
	}
	if !strings.Contains(out, "vigil: too new") {
		t.Errorf("pip output lacks the yank reason:\n%s", out)
	}
}

func TestPipRejectsCorruptFile(t *testing.T) {
	t.Parallel()
	srv := pypitest.NewServer(t, pypitest.Project{Name: "corrupt", Dists: []pypitest.Dist{{Version: "1.0"}}})
	f := srv.Files("corrupt")[0]
	srv.SetFault(f.Path, pypitest.Fault{CorruptFile: true})
	out, err := runPip(t, srv.URL+"/simple/", "--target", t.TempDir(), "corrupt")
	if err == nil {
		t.Fatalf("pip installed a file whose hash does not match:\n%s", out)
	}
	if !strings.Contains(out, "HASHES") && !strings.Contains(out, "hash") {
		t.Errorf("pip output does not mention a hash mismatch:\n%s", out)
	}
}

// pipAtLeast reports whether python3's pip is at least major.minor.
func pipAtLeast(t *testing.T, major, minor int) bool {
	t.Helper()
	out, err := exec.Command("python3", "-m", "pip", "--version").Output()
	if err != nil {
		t.Fatalf("python3 -m pip --version: %v", err)
	}
	var maj, mnr int
	if _, err := fmt.Sscanf(string(out), "pip %d.%d", &maj, &mnr); err != nil {
		t.Fatalf("pip version %q: %v", out, err)
	}
	return maj > major || maj == major && mnr >= minor
}

package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runPreCommit runs pre-commit with a longer limit than runCmd's: its first
// run builds the hook (cgo tree-sitter included) from source.
func runPreCommit(t *testing.T, dir string, env map[string]string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "pre-commit", args...)
	cmd.Dir = dir
	full := baseEnv(t.TempDir())
	for k, v := range env {
		full[k] = v
	}
	cmd.Env = envList(full)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("pre-commit %v timed out:\n%s", args, out.String())
	case errors.As(err, &exitErr):
		return out.String(), exitErr.ExitCode()
	case err != nil:
		t.Fatalf("pre-commit %v: %v", args, err)
	}
	return out.String(), 0
}

// TestPreCommitHook runs the repository's .pre-commit-hooks.yaml with the
// real pre-commit (Debian's package): pre-commit builds the hook with the
// system Go toolchain and runs `vigil-proxy scan --changed-only --fail-on
// high --quiet` on the staged files of a sample repository.
func TestPreCommitHook(t *testing.T) {
	requireTool(t, "pre-commit", "apt-get install pre-commit")
	goBin := requireTool(t, "go", "install Go")
	repoRoot, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	modCache, err := exec.Command(goBin, "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	goCache, err := exec.Command(goBin, "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	sample := t.TempDir()
	env := map[string]string{
		"PRE_COMMIT_HOME": t.TempDir(),
		// Build from the local module cache only: the test never reaches a
		// network, and reuses the build cache of the test run.
		"GOMODCACHE": strings.TrimSpace(string(modCache)),
		"GOCACHE":    strings.TrimSpace(string(goCache)),
		"GOPROXY":    "off",
		"GOFLAGS":    "-mod=mod",
		"PATH":       filepath.Dir(goBin) + string(os.PathListSeparator) + os.Getenv("PATH"),
	}
	git := func(args ...string) {
		t.Helper()
		out, code := runCmd(t, sample, env, "git", append([]string{"-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"}, args...)...)
		if code != 0 {
			t.Fatalf("git %v: %s", args, out)
		}
	}
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(sample, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q")
	write(".vigil.yaml", "rules:\n  TEST-001: {severity: high}   # this team gates on empty tests\n")
	write("tests/test_ok.py", "def test_ok():\n    assert 1 + 1 == 2\n")
	git("add", ".")
	git("commit", "-qm", "base")

	// A staged test without assertions fails the hook, naming the rule.
	write("tests/test_new.py", "def test_created():\n    create_user('a')\n")
	git("add", "tests/test_new.py")
	// try-repo uses the repository's HEAD when its tree is clean (CI) and a
	// snapshot of the uncommitted changes otherwise.
	out, code := runPreCommit(t, sample, env, "try-repo", repoRoot, "vigil-proxy-scan", "--files", "tests/test_new.py")
	recordTranscript(t, "pre-commit hook refuses a test without assertions", "pre-commit try-repo <vigil-proxy> vigil-proxy-scan --files tests/test_new.py", out, code)
	if code != 1 || !strings.Contains(out, "TEST-001") || !strings.Contains(out, "tests/test_new.py") || !strings.Contains(out, "Failed") {
		t.Fatalf("hook on a bad file: exit %d, want 1 with TEST-001:\n%s", code, out)
	}
	// The fixed file passes.
	write("tests/test_new.py", "def test_created():\n    assert create_user('a').email == 'a'\n")
	git("add", "tests/test_new.py")
	out, code = runPreCommit(t, sample, env, "try-repo", repoRoot, "vigil-proxy-scan", "--files", "tests/test_new.py")
	if code != 0 || !strings.Contains(out, "Passed") {
		t.Fatalf("hook on a fixed file: exit %d, want 0:\n%s", code, out)
	}
}

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The README's test command is what CI runs (bash .ci/run), and that
// script runs the suite with the flags CI uses.
func TestREADMETestCommandIsCI(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	block := between(string(readme), "## The two commands\n\n```sh\n", "```")
	if !strings.Contains(block, "\nbash .ci/run ") {
		t.Errorf("README's commands block does not give `bash .ci/run` as the test command:\n%s", block)
	}
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ci), "\ngo test -race -shuffle=on ./...\n") {
		t.Errorf(".ci/run does not run go test -race -shuffle=on ./...")
	}
}

// Not root and a tool missing: .ci/run names the exact packages to install
// and stops before running anything.
func TestCIRunNamesMissingPackagesWhenNotRoot(t *testing.T) {
	bin := t.TempDir() // a PATH with go, git, dpkg-query and coreutils but no npm
	for _, tool := range []string{"bash", "dpkg-query", "grep", "id", "head", "go", "git", "env", "dirname"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Fatalf("%s not found: %v", tool, err)
		}
		if err := os.Symlink(p, filepath.Join(bin, tool)); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"bash", "../../.ci/run"}
	if os.Getuid() == 0 {
		setpriv, err := exec.LookPath("setpriv")
		if err != nil {
			t.Fatalf("setpriv (util-linux) not found: %v", err)
		}
		args = append([]string{setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--"}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = []string{"PATH=" + bin, "HOME=" + t.TempDir()}
	out, err := cmd.CombinedOutput()
	if exitErr, ok := err.(*exec.ExitError); !ok || exitErr.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1\n%s", err, out)
	}
	for _, want := range []string{"missing test tools", "apt-get install -y --no-install-recommends", "nodejs npm"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "== static checks") || strings.Contains(string(out), "installing") {
		t.Errorf("went on although not root and tools are missing:\n%s", out)
	}
}

func between(s, start, end string) string {
	_, after, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	block, _, _ := strings.Cut(after, end)
	return block
}

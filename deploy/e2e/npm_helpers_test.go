package e2e

// Helpers for the npm, pnpm and yarn scenarios (npm_test.go): the fake
// registry's fixtures, the proxy settings that front it, and each client run
// with private caches and configuration so nothing from the machine leaks in.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/npm/npmtest"
)

const (
	// npmBin is the npm in PATH: npm 11, which needs Node.js >= 20.17
	// (.ci/install-node puts both into /usr/local where Debian's are older).
	npmBin = "npm"
	// npmInstall is the command that provides it.
	npmInstall = "bash .ci/run (as root: installs Node.js 20 and npm 11 when missing)"
	// pnpmInstall and yarnInstall are the commands that provide the clients
	// these tests require.
	pnpmInstall = "npm install -g pnpm@10.34.8"
	yarnInstall = "npm install -g @yarnpkg/cli-dist@4.18.1"
)

// npmEnv points a proxy at a fake npm registry; extra entries are merged over
// it.
func npmEnv(fake *npmtest.Server, extra map[string]string) map[string]string {
	env := map[string]string{
		"VIGIL_NPM_UPSTREAM":      fake.URL,
		"VIGIL_NPM_TARBALL_HOSTS": fake.TarballHost(),
	}
	maps.Copy(env, extra)
	return env
}

// ghRepository gives a fixture package a source repository so DEP-005 stays
// quiet.
func ghRepository(name string) map[string]string {
	return map[string]string{"type": "git", "url": "git+https://github.com/vigil-e2e/" + name + ".git"}
}

// npmFixtures is the fake npm registry shared by the npm, pnpm and yarn
// tests, relative to now. Mature packages were published years ago.
func npmFixtures(now time.Time) []npmtest.Package {
	old := time.Date(2021, 3, 1, 12, 0, 0, 0, time.UTC)
	mature := func(name string, versions ...npmtest.Version) npmtest.Package {
		for i := range versions {
			if versions[i].Published.IsZero() {
				versions[i].Published = old.Add(time.Duration(30*i) * day)
			}
		}
		return npmtest.Package{Name: name, Created: old, Repository: ghRepository(strings.TrimPrefix(name, "@")), Versions: versions}
	}
	return []npmtest.Package{
		mature("vigil-npm-mature",
			npmtest.Version{Version: "1.0.0"},
			npmtest.Version{Version: "1.2.0", Deps: map[string]string{"vigil-npm-base": "^1.0.0"}}),
		mature("vigil-npm-base",
			npmtest.Version{Version: "1.0.0"},
			npmtest.Version{Version: "1.1.0"}),
		// The newest release is two days old and `latest` (and `next`)
		// point at it upstream.
		func() npmtest.Package {
			p := mature("vigil-npm-fresh",
				npmtest.Version{Version: "1.0.0"},
				npmtest.Version{Version: "1.1.0", Published: now.Add(-2*day - time.Hour)})
			p.DistTags = map[string]string{"latest": "1.1.0", "next": "1.1.0"}
			return p
		}(),
		mature("@vigil-e2e/scoped",
			npmtest.Version{Version: "2.0.0"},
			npmtest.Version{Version: "2.1.0", Deps: map[string]string{"vigil-npm-base": "^1.0.0"}}),
		// First published five days ago: DEP-002 blocks the whole package.
		{Name: "vigil-npm-young", Created: now.Add(-5*day - time.Hour), Repository: ghRepository("young"),
			Versions: []npmtest.Version{{Version: "0.1.0", Published: now.Add(-5*day - time.Hour)}}},
		// Mature but on the denylist (VIGIL_DENY=npm:evil-pkg).
		mature("evil-pkg", npmtest.Version{Version: "1.0.0"}),
		// Two mature releases; the lockfile scenario denylists 1.1.0 after
		// package-lock.json was written.
		mature("vigil-npm-locked",
			npmtest.Version{Version: "1.0.0"},
			npmtest.Version{Version: "1.1.0"}),
		// An attacker's public copy of a private package name: the proxy
		// must never ask for it (VIGIL_NPM_PRIVATE=@myorg/*).
		mature("@myorg/internal", npmtest.Version{Version: "9.9.9"}),
	}
}

// startNPMProxy starts a fake registry with npmFixtures and a proxy in front
// of it with the settings every npm scenario shares (private scope @myorg/*,
// evil-pkg denied) plus extra.
func startNPMProxy(t *testing.T, extra map[string]string) (*npmtest.Server, *Proxy) {
	t.Helper()
	fake := npmtest.NewServer(t, npmFixtures(time.Now().UTC())...)
	env := map[string]string{
		"VIGIL_NPM_PRIVATE": "@myorg/*",
		"VIGIL_DENY":        "npm:evil-pkg",
	}
	maps.Copy(env, extra)
	return fake, startProxy(t, npmEnv(fake, env))
}

// npmRegistry is the registry URL clients are configured with.
func npmRegistry(p *Proxy) string { return p.URL + "/npm/" }

// npmProject writes a private package.json with deps into a new directory
// and returns it.
func npmProject(t *testing.T, deps map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	manifest := map[string]any{"name": "vigil-e2e-app", "version": "1.0.0", "private": true, "license": "MIT"}
	if len(deps) > 0 {
		manifest["dependencies"] = deps
	}
	b, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		t.Fatalf("encode package.json: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), append(b, '\n'), 0o644); err != nil {
		t.Fatalf("write package.json: %v", err)
	}
	return dir
}

// clientRun is one client invocation: what a user would type (for the
// transcript), the output and the exit status.
type clientRun struct {
	cmdline string
	out     string
	code    int
}

// runNPM runs the machine's npm in dir against the proxy with a private cache
// (cache, so a test can reuse or discard it) and an empty user config.
// cmdArgs are npm's command and its arguments, e.g. "install", "pkg".
func runNPM(t *testing.T, p *Proxy, dir, cache string, cmdArgs ...string) clientRun {
	t.Helper()
	requireTool(t, npmBin, npmInstall)
	userconfig := emptyNpmrc(t)
	flags := []string{"--registry", npmRegistry(p), "--no-audit", "--no-fund", "--no-update-notifier"}
	args := slices.Concat(cmdArgs, flags, []string{"--cache", cache, "--userconfig", userconfig})
	out, code := runCmd(t, dir, map[string]string{
		"npm_config_update_notifier": "false",
		"npm_config_globalconfig":    emptyNpmrc(t),
	}, npmBin, args...)
	return clientRun{cmdline: "npm " + strings.Join(slices.Concat(cmdArgs, flags), " "), out: out, code: code}
}

// emptyNpmrc returns a new empty npmrc file, so that neither the machine's
// global npmrc nor a user one configures the clients.
func emptyNpmrc(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "npmrc")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatalf("write empty npmrc: %v", err)
	}
	return path
}

// runPnpm runs pnpm in dir against the proxy with a private store, cache and
// HOME (runCmd gives every command a fresh HOME and no npm_config_*).
func runPnpm(t *testing.T, p *Proxy, dir string, cmdArgs ...string) clientRun {
	t.Helper()
	pnpm := requireTool(t, "pnpm", pnpmInstall)
	tmp := t.TempDir()
	flags := []string{"--registry", npmRegistry(p), "--reporter", "append-only"}
	args := slices.Concat(cmdArgs, flags, []string{
		"--store-dir", filepath.Join(tmp, "store"), "--cache-dir", filepath.Join(tmp, "cache")})
	out, code := runCmd(t, dir, map[string]string{
		"npm_config_update_notifier": "false",
		"npm_config_globalconfig":    emptyNpmrc(t),
		"XDG_CONFIG_HOME":            filepath.Join(tmp, "config"),
		"XDG_DATA_HOME":              filepath.Join(tmp, "data"),
		"XDG_STATE_HOME":             filepath.Join(tmp, "state"),
		"XDG_CACHE_HOME":             filepath.Join(tmp, "xdgcache"),
	}, pnpm, args...)
	return clientRun{cmdline: "pnpm " + strings.Join(slices.Concat(cmdArgs, flags), " "), out: out, code: code}
}

// yarnrc is the .yarnrc.yml the yarn tests write: the proxy as the only
// registry (plain http on loopback needs unsafeHttpWhitelist), a classic
// node_modules layout and a project-local cache.
func yarnrc(p *Proxy) string {
	return fmt.Sprintf("npmRegistryServer: %q\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnodeLinker: node-modules\n"+
		"enableGlobalCache: false\ncacheFolder: ./.yarn/cache\nenableTelemetry: false\n", npmRegistry(p))
}

// runYarn writes .yarnrc.yml and, unless there is one, an empty yarn.lock
// (which makes dir the project root) into dir and runs yarn berry there with telemetry and
// immutable installs off.
func runYarn(t *testing.T, p *Proxy, dir string, cmdArgs ...string) clientRun {
	t.Helper()
	yarn := requireTool(t, "yarn", yarnInstall)
	rc := yarnrc(p)
	if err := os.WriteFile(filepath.Join(dir, ".yarnrc.yml"), []byte(rc), 0o644); err != nil {
		t.Fatalf("write .yarnrc.yml: %v", err)
	}
	lock := filepath.Join(dir, "yarn.lock")
	if _, err := os.Stat(lock); errors.Is(err, fs.ErrNotExist) {
		if err := os.WriteFile(lock, nil, 0o644); err != nil {
			t.Fatalf("write yarn.lock: %v", err)
		}
	}
	out, code := runCmd(t, dir, map[string]string{
		"YARN_ENABLE_TELEMETRY":          "0",
		"YARN_ENABLE_IMMUTABLE_INSTALLS": "false",
		"YARN_ENABLE_PROGRESS_BARS":      "false",
	}, yarn, cmdArgs...)
	cmdline := "cat .yarnrc.yml\n" + rc + "$ yarn " + strings.Join(cmdArgs, " ")
	return clientRun{cmdline: cmdline, out: out, code: code}
}

// record logs the run for the README and fails the test unless the client
// exited with want and printed every substring in wants.
func (r clientRun) check(t *testing.T, title string, want int, wants ...string) {
	t.Helper()
	recordTranscript(t, title, r.cmdline, r.out, r.code)
	if r.code != want {
		t.Errorf("%s: exit status %d, want %d", title, r.code, want)
	}
	requireOutput(t, r.out, wants...)
}

// installedVersion returns the version in node_modules/<pkg>/package.json
// under dir, or "" when the package is not installed.
func installedVersion(t *testing.T, dir, pkg string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "node_modules", filepath.FromSlash(pkg), "package.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	if err != nil {
		t.Fatalf("read installed %s: %v", pkg, err)
	}
	var m struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("parse installed %s/package.json: %v", pkg, err)
	}
	if m.Name != pkg {
		t.Errorf("node_modules/%s/package.json names %q", pkg, m.Name)
	}
	return m.Version
}

// wantInstalled fails unless each package in want is installed at exactly
// that version ("" = not installed).
func wantInstalled(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	for _, pkg := range slices.Sorted(maps.Keys(want)) {
		if got := installedVersion(t, dir, pkg); got != want[pkg] {
			t.Errorf("node_modules/%s version %q, want %q", pkg, got, want[pkg])
		}
	}
}

// wantRequests fails unless the fake registry saw path exactly n times.
func wantRequests(t *testing.T, fake *npmtest.Server, path string, n int) {
	t.Helper()
	if got := fake.Requests(path); got != n {
		t.Errorf("upstream requests for %s: %d, want %d", path, got, n)
	}
}

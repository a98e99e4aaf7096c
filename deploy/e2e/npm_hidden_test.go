package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/npm/npmtest"
)

// Why a version is missing, as each client prints it. vigil-npm-fresh has
// 1.0.0 (mature) and 1.1.0 (two days old, hidden by DEP-002 under the
// default seven-day cooldown; upstream's latest and next point at it).
const (
	// npm prints the npm-notice header of the packument (after the
	// package's own warnings, here DEP-004's unknown download count).
	hiddenFreshNotice = "hidden by policy: 1.1.0 (version 1.1.0 was published 2 days ago (policy: 7 days) [rule DEP-002])"
	// pnpm lists the dist-tags, the proxy's hint among them, when no
	// version matches.
	hiddenFreshTag = "  * vigil-proxy hid 1.1.0: version 1.1.0 was published 2 days ago (policy: 7 days) [rule DEP-002]; latest allowed: 1.0.0"
	// yarn resolves the listed, deprecated 1.1.0 and prints the reason
	// phrase of its refused tarball.
	hiddenFreshYarn = "Response Code: 403 (Blocked by vigil-proxy: file vigil-npm-fresh-1.1.0.tgz of version 1.1.0 was uploaded 2 days ago (policy: 7 days) [rule DEP-002])"
)

// hiddenFixtures adds to npmFixtures a package whose only allowed version in
// its line is deprecated upstream while a newer one is hidden: listing the
// hidden one for yarn would make `^1.0.0` resolve to it, so it stays out.
func hiddenFixtures(now time.Time) []npmtest.Package {
	old := time.Date(2021, 3, 1, 12, 0, 0, 0, time.UTC)
	return append(npmFixtures(now), npmtest.Package{
		Name: "vigil-npm-olddep", Created: old, Repository: ghRepository("olddep"),
		Versions: []npmtest.Version{
			{Version: "1.0.0", Published: old, Deprecated: "1.0 is no longer maintained"},
			{Version: "1.1.0", Published: now.Add(-2*day - time.Hour)},
		},
	})
}

// hintsOff turns the pnpm and yarn explanations off (the document every
// client got before them).
var hintsOff = map[string]string{
	"VIGIL_NPM_PNPM_HIDDEN_TAGS":       "false",
	"VIGIL_NPM_YARN_HIDDEN_DEPRECATED": "false",
}

// TestNPMClientsExplainHiddenVersions drives npm, pnpm and yarn against a
// proxy that hides vigil-npm-fresh@1.1.0 (too new): (a) a range only the
// hidden version satisfies fails with the reason and rule in each client's
// output (npm: notice; pnpm: dist-tag; yarn: tarball refusal); (b) an
// install whose newest version is hidden gets the older one, npm printing
// why (pnpm and yarn print nothing from a document that resolves).
func TestNPMClientsExplainHiddenVersions(t *testing.T) {
	t.Parallel()
	fake := npmtest.NewServer(t, hiddenFixtures(time.Now().UTC())...)
	p := startProxy(t, npmEnv(fake, nil))

	t.Run("npm range only hidden versions satisfy", func(t *testing.T) {
		t.Parallel()
		dir := npmProject(t, nil)
		r := runNPM(t, p, dir, t.TempDir(), "install", "vigil-npm-fresh@^1.1.0")
		r.check(t, "npm install a range only a hidden version satisfies", 1,
			"npm notice vigil-proxy: ", hiddenFreshNotice, "ETARGET", "No matching version found for vigil-npm-fresh@^1.1.0")
		wantInstalled(t, dir, map[string]string{"vigil-npm-fresh": ""})
	})
	t.Run("npm newest hidden", func(t *testing.T) {
		t.Parallel()
		dir := npmProject(t, nil)
		r := runNPM(t, p, dir, t.TempDir(), "install", "vigil-npm-fresh")
		r.check(t, "npm install a package whose newest version is hidden", 0, "npm notice vigil-proxy: ", hiddenFreshNotice, "added 1 package")
		wantInstalled(t, dir, map[string]string{"vigil-npm-fresh": "1.0.0"})
	})
	t.Run("pnpm range only hidden versions satisfy", func(t *testing.T) {
		t.Parallel()
		dir := npmProject(t, nil)
		r := runPnpm(t, p, dir, "add", "vigil-npm-fresh@^1.1.0")
		r.check(t, "pnpm add a range only a hidden version satisfies", 1,
			"ERR_PNPM_NO_MATCHING_VERSION", "No matching version found for vigil-npm-fresh@^1.1.0",
			`The latest release of vigil-npm-fresh is "1.0.0".`, "Other releases are:", hiddenFreshTag)
		wantInstalled(t, dir, map[string]string{"vigil-npm-fresh": ""})
		if _, err := os.Stat(filepath.Join(dir, "pnpm-lock.yaml")); err == nil {
			t.Errorf("pnpm wrote a lockfile for a failed resolution")
		}
	})
	t.Run("pnpm newest hidden", func(t *testing.T) {
		t.Parallel()
		dir := npmProject(t, nil)
		r := runPnpm(t, p, dir, "add", "vigil-npm-fresh")
		r.check(t, "pnpm add a package whose newest version is hidden", 0, "+ vigil-npm-fresh 1.0.0")
		wantInstalled(t, dir, map[string]string{"vigil-npm-fresh": "1.0.0"})
	})
	t.Run("yarn range only hidden versions satisfy", func(t *testing.T) {
		t.Parallel()
		dir := npmProject(t, map[string]string{"vigil-npm-fresh": "^1.1.0"})
		r := runYarn(t, p, dir, "install")
		r.check(t, "yarn install a range only a hidden version satisfies", 1, hiddenFreshYarn)
		wantInstalled(t, dir, map[string]string{"vigil-npm-fresh": ""})
		if lock, err := os.ReadFile(filepath.Join(dir, "yarn.lock")); err != nil || len(lock) != 0 {
			t.Errorf("yarn.lock after the failed install = %q (%v), want it left empty", lock, err)
		}
		// Updating only the lockfile still fetches what it lacks (yarn
		// records a checksum), so the hidden version never gets into it.
		r = runYarn(t, p, dir, "install", "--mode=update-lockfile")
		r.check(t, "yarn install --mode=update-lockfile for a range only a hidden version satisfies", 1, hiddenFreshYarn)
		if lock, err := os.ReadFile(filepath.Join(dir, "yarn.lock")); err != nil || len(lock) != 0 {
			t.Errorf("yarn.lock after --mode=update-lockfile = %q (%v), want it left empty", lock, err)
		}
	})
	t.Run("yarn newest hidden", func(t *testing.T) {
		t.Parallel()
		dir := npmProject(t, map[string]string{"vigil-npm-fresh": "^1.0.0", "vigil-npm-olddep": "^1.0.0"})
		r := runYarn(t, p, dir, "install")
		r.check(t, "yarn install packages whose newest version is hidden", 0,
			"vigil-npm-fresh@npm:1.0.0", "vigil-npm-olddep@npm:1.0.0", "Done in")
		wantInstalled(t, dir, map[string]string{"vigil-npm-fresh": "1.0.0", "vigil-npm-olddep": "1.0.0"})
	})
	t.Run("yarn range only a hidden version above a deprecated one satisfies", func(t *testing.T) {
		t.Parallel()
		// vigil-npm-olddep@1.1.0 stays out of yarn's document (its 1.0.0 is
		// deprecated): yarn has no candidate and no reason to print.
		dir := npmProject(t, map[string]string{"vigil-npm-olddep": "^1.1.0"})
		r := runYarn(t, p, dir, "install")
		r.check(t, "yarn install a range only a hidden version above a deprecated one satisfies", 1,
			"vigil-npm-olddep@npm:^1.1.0: No candidates found")
	})
	t.Run("upstream", func(t *testing.T) {
		wantRequests(t, fake, "/vigil-npm-fresh/-/vigil-npm-fresh-1.1.0.tgz", 0)
		wantRequests(t, fake, "/vigil-npm-olddep/-/vigil-npm-olddep-1.1.0.tgz", 0)
	})
}

// TestNPMHiddenVersionHintsKeepInstallsAndReads: the same installs through a
// proxy with the hints and one without them write the same lockfiles (the
// proxy's address aside), and the reads tools build on — npm view, npm
// outdated, pnpm outdated, pnpm update, yarn up, yarn npm info — see the
// re-pointed tags and no hint where they do not expect one.
func TestNPMHiddenVersionHintsKeepInstallsAndReads(t *testing.T) {
	t.Parallel()
	fake := npmtest.NewServer(t, hiddenFixtures(time.Now().UTC())...)
	with := startProxy(t, npmEnv(fake, nil))
	without := startProxy(t, npmEnv(fake, hintsOff))
	deps := map[string]string{"vigil-npm-fresh": "^1.0.0", "vigil-npm-olddep": "^1.0.0", "vigil-npm-mature": "1.0.0"}
	installed := map[string]string{"vigil-npm-fresh": "1.0.0", "vigil-npm-olddep": "1.0.0", "vigil-npm-mature": "1.0.0"}

	type client struct {
		name     string
		lockfile string
		install  func(t *testing.T, p *Proxy, dir string) clientRun
		lockHas  string // a line the lockfile must hold
	}
	clients := []client{
		{"npm", "package-lock.json", func(t *testing.T, p *Proxy, dir string) clientRun {
			return runNPM(t, p, dir, t.TempDir(), "install")
		}, `"deprecated": "1.0 is no longer maintained"`},
		// pnpm copies a deprecation message into its lockfile: one the
		// proxy added would change pnpm-lock.yaml (README).
		{"pnpm", "pnpm-lock.yaml", func(t *testing.T, p *Proxy, dir string) clientRun {
			return runPnpmWithRC(t, p, dir, "install")
		}, "deprecated: 1.0 is no longer maintained"},
		{"yarn", "yarn.lock", func(t *testing.T, p *Proxy, dir string) clientRun {
			return runYarn(t, p, dir, "install")
		}, `resolution: "vigil-npm-olddep@npm:1.0.0"`},
	}
	for _, c := range clients {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			locks := map[string]string{}
			var hinted string
			for _, side := range []struct {
				name string
				p    *Proxy
			}{{"with hints", with}, {"without hints", without}} {
				dir := npmProject(t, deps)
				c.install(t, side.p, dir).check(t, c.name+" install "+side.name, 0)
				wantInstalled(t, dir, installed)
				b, err := os.ReadFile(filepath.Join(dir, c.lockfile))
				if err != nil {
					t.Fatalf("%s: %v", side.name, err)
				}
				locks[side.name] = strings.ReplaceAll(string(b), side.p.URL, "http://vigil")
				if side.p == with {
					hinted = dir
				}
			}
			if !strings.Contains(locks["with hints"], c.lockHas) {
				t.Errorf("%s lacks %q:\n%s", c.lockfile, c.lockHas, locks["with hints"])
			}
			if locks["with hints"] != locks["without hints"] {
				t.Errorf("%s differs with the hints:\n%s\nwithout:\n%s", c.lockfile, locks["with hints"], locks["without hints"])
			}
			readsKeepWorking(t, c.name, with, hinted)
		})
	}
}

// readsKeepWorking runs client's read commands in dir, installed through p.
func readsKeepWorking(t *testing.T, client string, p *Proxy, dir string) {
	t.Helper()
	switch client {
	case "npm":
		r := runNPM(t, p, dir, t.TempDir(), "view", "vigil-npm-fresh", "dist-tags", "versions", "--json")
		r.check(t, "npm view of a package whose newest version is hidden", 0)
		var view struct {
			DistTags map[string]string `json:"dist-tags"`
			Versions []string          `json:"versions"`
		}
		if err := json.Unmarshal([]byte(r.out[strings.Index(r.out, "{"):]), &view); err != nil {
			t.Fatalf("npm view --json: %v\n%s", err, r.out)
		}
		if view.DistTags["latest"] != "1.0.0" || view.DistTags["next"] != "1.0.0" || len(view.DistTags) != 2 ||
			len(view.Versions) != 1 || view.Versions[0] != "1.0.0" {
			t.Errorf("npm view = %+v, want latest and next at 1.0.0, versions [1.0.0]", view)
		}
		r = runNPM(t, p, dir, t.TempDir(), "outdated")
		r.check(t, "npm outdated", 1, "vigil-npm-mature    1.0.0   1.0.0   1.2.0")
		for _, line := range strings.Split(r.out, "\n") {
			if strings.HasPrefix(line, "vigil-npm-fresh ") || strings.HasPrefix(line, "vigil-npm-olddep ") {
				t.Errorf("npm outdated lists a package whose newest allowed version is installed: %q", line)
			}
		}
	case "pnpm":
		r := runPnpmWithRC(t, p, dir, "outdated")
		// vigil-npm-olddep's latest is deprecated upstream: pnpm says so
		// ("Deprecated" as its latest), which is why the proxy never
		// deprecates a version it serves to explain a hidden one.
		r.check(t, "pnpm outdated", 1, "vigil-npm-mature", "1.2.0", "vigil-npm-olddep", "Deprecated")
		for _, bad := range []string{"vigil-npm-fresh", "vigil-proxy"} {
			if strings.Contains(r.out, bad) {
				t.Errorf("pnpm outdated prints %q", bad)
			}
		}
		r = runPnpmWithRC(t, p, dir, "update", "--latest", "vigil-npm-fresh")
		r.check(t, "pnpm update --latest of a package whose newest version is hidden", 0)
		wantInstalled(t, dir, map[string]string{"vigil-npm-fresh": "1.0.0"})
		wantDependency(t, dir, "vigil-npm-fresh", "^1.0.0")
	case "yarn":
		r := runYarn(t, p, dir, "up", "vigil-npm-fresh")
		r.check(t, "yarn up a package whose newest version is hidden", 0, "Done in")
		wantInstalled(t, dir, map[string]string{"vigil-npm-fresh": "1.0.0"})
		wantDependency(t, dir, "vigil-npm-fresh", "^1.0.0")
		r = runYarn(t, p, dir, "npm", "info", "vigil-npm-fresh", "--fields", "dist-tags", "--json")
		r.check(t, "yarn npm info dist-tags", 0, `"latest":"1.0.0"`, `"next":"1.0.0"`)
	}
}

// wantDependency fails unless package.json in dir declares pkg at spec.
func wantDependency(t *testing.T, dir, pkg, spec string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("package.json: %v", err)
	}
	if got := m.Dependencies[pkg]; got != spec {
		t.Errorf("package.json declares %s %q, want %q", pkg, got, spec)
	}
}

// runPnpmWithRC runs pnpm in dir configured by dir/.npmrc (written on the
// first call: the proxy as registry, a store and cache of the project's
// own), so that commands that take no --registry or --store-dir (pnpm
// outdated) and later commands (pnpm update, which must link from the
// store the install used) see the same settings.
func runPnpmWithRC(t *testing.T, p *Proxy, dir string, cmdArgs ...string) clientRun {
	t.Helper()
	pnpm := requireTool(t, "pnpm", pnpmInstall)
	rc := filepath.Join(dir, ".npmrc")
	if _, err := os.Stat(rc); err != nil {
		tmp := t.TempDir()
		text := "registry=" + npmRegistry(p) + "\nstore-dir=" + filepath.Join(tmp, "store") + "\ncache-dir=" + filepath.Join(tmp, "cache") + "\n"
		if err := os.WriteFile(rc, []byte(text), 0o644); err != nil {
			t.Fatalf("write .npmrc: %v", err)
		}
	}
	tmp := t.TempDir()
	out, code := runCmd(t, dir, map[string]string{
		"npm_config_update_notifier": "false",
		"npm_config_globalconfig":    emptyNpmrc(t),
		"XDG_CONFIG_HOME":            filepath.Join(tmp, "config"),
		"XDG_DATA_HOME":              filepath.Join(tmp, "data"),
		"XDG_STATE_HOME":             filepath.Join(tmp, "state"),
	}, pnpm, append(cmdArgs, "--reporter", "append-only")...)
	return clientRun{cmdline: "pnpm " + strings.Join(cmdArgs, " ") + " --reporter append-only   # .npmrc: registry=" + npmRegistry(p), out: out, code: code}
}

package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/npm/npmtest"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// npmCase is one `npm install` scenario of TestNPM.
type npmCase struct {
	name     string
	args     []string          // npm install arguments
	wantExit int               // npm exits 1 on resolution and fetch errors
	wantOut  []string          // substrings of npm's output
	want     map[string]string // node_modules package → version ("" = absent)
	check    func(t *testing.T, fake *npmtest.Server)
	audit    func(t *testing.T, evs []store.Event)
}

// TestNPM drives the machine's npm against one proxy in front of the fake
// registry: every install runs in its own project with its own cache.
func TestNPM(t *testing.T) {
	t.Parallel()
	fake, p := startNPMProxy(t, nil)

	cases := []npmCase{
		{
			name:    "mature package with dependency installs",
			args:    []string{"vigil-npm-mature"},
			wantOut: []string{"added 2 packages"},
			want:    map[string]string{"vigil-npm-mature": "1.2.0", "vigil-npm-base": "1.1.0"},
			check: func(t *testing.T, fake *npmtest.Server) {
				wantRequests(t, fake, "/vigil-npm-mature/-/vigil-npm-mature-1.2.0.tgz", 1)
			},
		},
		{
			name:    "two-day-old release is skipped",
			args:    []string{"vigil-npm-fresh"},
			wantOut: []string{"added 1 package"},
			want:    map[string]string{"vigil-npm-fresh": "1.0.0"},
		},
		{
			name:    "latest pointing at a hidden release installs the previous one",
			args:    []string{"vigil-npm-fresh@latest"},
			wantOut: []string{"added 1 package"},
			want:    map[string]string{"vigil-npm-fresh": "1.0.0"},
		},
		{
			name:     "pinned two-day-old release is not offered",
			args:     []string{"vigil-npm-fresh@1.1.0"},
			wantExit: 1,
			wantOut:  []string{"ETARGET", "No matching version found for vigil-npm-fresh@1.1.0"},
			want:     map[string]string{"vigil-npm-fresh": ""},
		},
		{
			name:     "tarball URL of a two-day-old release is refused",
			args:     []string{p.URL + "/npm/vigil-npm-fresh/-/vigil-npm-fresh-1.1.0.tgz"},
			wantExit: 1,
			wantOut:  []string{"403 Blocked by vigil-proxy: ", "1.1.0", "DEP-002"},
			want:     map[string]string{"vigil-npm-fresh": ""},
			audit: func(t *testing.T, evs []store.Event) {
				got := eventsFor(evs, "vigil-npm-fresh")
				ev, ok := findEvent(got, "block", "DEP-002")
				if !ok {
					t.Fatalf("no DEP-002 block event:\n%s", describeEvents(got))
				}
				if ev.Route != "tarball" || ev.Version != "1.1.0" {
					t.Errorf("block event route %q version %q, want tarball 1.1.0", ev.Route, ev.Version)
				}
			},
		},
		{
			name:    "scoped package installs",
			args:    []string{"@vigil-e2e/scoped"},
			wantOut: []string{"added 2 packages"},
			want:    map[string]string{"@vigil-e2e/scoped": "2.1.0", "vigil-npm-base": "1.1.0"},
			check: func(t *testing.T, fake *npmtest.Server) {
				wantRequests(t, fake, "/@vigil-e2e/scoped/-/scoped-2.1.0.tgz", 1)
			},
		},
		{
			name:     "five-day-old package is blocked",
			args:     []string{"vigil-npm-young"},
			wantExit: 1,
			wantOut:  []string{"403 Blocked by vigil-proxy: ", "vigil-npm-young", "first published", "DEP-002"},
			want:     map[string]string{"vigil-npm-young": ""},
			check: func(t *testing.T, fake *npmtest.Server) {
				wantRequests(t, fake, "/vigil-npm-young/-/vigil-npm-young-0.1.0.tgz", 0)
			},
			audit: func(t *testing.T, evs []store.Event) {
				got := eventsFor(evs, "vigil-npm-young")
				ev, ok := findEvent(got, "block", "DEP-002")
				if !ok {
					t.Fatalf("no DEP-002 block event:\n%s", describeEvents(got))
				}
				if !strings.HasPrefix(ev.Client, "npm/") {
					t.Errorf("event Client %q lacks npm's User-Agent", ev.Client)
				}
			},
		},
		{
			name:     "denylisted package is blocked",
			args:     []string{"evil-pkg"},
			wantExit: 1,
			wantOut:  []string{"403 Blocked by vigil-proxy: ", "evil-pkg", "DENYLIST"},
			want:     map[string]string{"evil-pkg": ""},
			check: func(t *testing.T, fake *npmtest.Server) {
				wantRequests(t, fake, "/evil-pkg/-/evil-pkg-1.0.0.tgz", 0)
			},
			audit: func(t *testing.T, evs []store.Event) {
				got := eventsFor(evs, "evil-pkg")
				if _, ok := findEvent(got, "block", "DENYLIST"); !ok {
					t.Errorf("no DENYLIST block event:\n%s", describeEvents(got))
				}
			},
		},
		{
			name:     "private scope is never resolved upstream",
			args:     []string{"@myorg/internal"},
			wantExit: 1,
			wantOut:  []string{"404", "npm.private"},
			want:     map[string]string{"@myorg/internal": ""},
		},
	}

	t.Run("install", func(t *testing.T) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				dir := npmProject(t, nil)
				r := runNPM(t, p, dir, t.TempDir(), append([]string{"install"}, c.args...)...)
				r.check(t, c.name, c.wantExit, c.wantOut...)
				wantInstalled(t, dir, c.want)
			})
		}
	})

	t.Run("upstream", func(t *testing.T) {
		for _, c := range cases {
			if c.check != nil {
				t.Run(c.name, func(t *testing.T) { c.check(t, fake) })
			}
		}
		if n := fake.RequestsMatching("/@myorg"); n != 0 {
			t.Errorf("private scope @myorg requested upstream %d times, want 0", n)
		}
		wantRequests(t, fake, "/vigil-npm-fresh/-/vigil-npm-fresh-1.1.0.tgz", 0)
	})

	evs := p.Events(t)
	t.Run("audit", func(t *testing.T) {
		for _, c := range cases {
			if c.audit != nil {
				t.Run(c.name, func(t *testing.T) { c.audit(t, evs) })
			}
		}
	})
	if t.Failed() {
		t.Logf("all audit events:\n%s", describeEvents(evs))
	}
}

// lockClient is one client's lockfile round trip in
// TestNPMLockfileInstallsRefuseDeniedVersion.
type lockClient struct {
	name     string
	deps     map[string]string                                  // package.json dependencies
	lock     func(t *testing.T, p *Proxy, dir string) clientRun // writes the lockfile
	wantLock []string                                           // output of lock
	lockfile string                                             // file lock writes
	locked   string                                             // lockfile text pinning 1.1.0
	frozen   func(t *testing.T, p *Proxy, dir string) clientRun // installs from the lockfile only
	// wantFrozen is the frozen install's output; "{resolved}" stands for
	// the tarball URL.
	wantFrozen []string
	agent      string // User-Agent prefix in the audit event
}

// TestNPMLockfileInstallsRefuseDeniedVersion: a team commits its lockfile
// while vigil-npm-locked@1.1.0 is allowed; later the security team denylists
// that version (VIGIL_DENY=npm:vigil-npm-locked@1.1.0, e.g. after a
// compromise) and restarts the proxy at the same address. A clean CI machine
// (empty caches and node_modules) then installs from the lockfile only —
// `npm ci`, `pnpm install --frozen-lockfile`, `yarn install --immutable` —
// fetching just the locked tarball, which the proxy must refuse.
func TestNPMLockfileInstallsRefuseDeniedVersion(t *testing.T) {
	t.Parallel()
	const tarball = "/vigil-npm-locked/-/vigil-npm-locked-1.1.0.tgz"
	fake := npmtest.NewServer(t, npmFixtures(time.Now().UTC())...)
	before := startProxy(t, npmEnv(fake, nil))
	resolved := before.URL + "/npm" + tarball

	clients := []lockClient{
		{
			name: "npm",
			lock: func(t *testing.T, p *Proxy, dir string) clientRun {
				return runNPM(t, p, dir, t.TempDir(), "install", "vigil-npm-locked")
			},
			wantLock: []string{"added 1 package"},
			lockfile: "package-lock.json",
			locked:   `"resolved": "` + resolved + `"`,
			frozen: func(t *testing.T, p *Proxy, dir string) clientRun {
				return runNPM(t, p, dir, t.TempDir(), "ci")
			},
			wantFrozen: []string{"E403", "403 Blocked by vigil-proxy: ", resolved, "DENYLIST"},
			agent:      "npm/",
		},
		{
			name: "pnpm",
			lock: func(t *testing.T, p *Proxy, dir string) clientRun {
				return runPnpm(t, p, dir, "add", "vigil-npm-locked")
			},
			wantLock: []string{"+ vigil-npm-locked 1.1.0"},
			lockfile: "pnpm-lock.yaml",
			locked:   "vigil-npm-locked@1.1.0:",
			frozen: func(t *testing.T, p *Proxy, dir string) clientRun {
				return runPnpm(t, p, dir, "install", "--frozen-lockfile")
			},
			wantFrozen: []string{"ERR_PNPM_FETCH_403", "GET " + resolved + ": Blocked by vigil-proxy: ", "- 403"},
			agent:      "pnpm/",
		},
		{
			name: "yarn",
			deps: map[string]string{"vigil-npm-locked": "^1.0.0"},
			lock: func(t *testing.T, p *Proxy, dir string) clientRun {
				return runYarn(t, p, dir, "install")
			},
			wantLock: []string{"vigil-npm-locked@npm:1.1.0", "Done in"},
			lockfile: "yarn.lock",
			locked:   `resolution: "vigil-npm-locked@npm:1.1.0"`,
			frozen: func(t *testing.T, p *Proxy, dir string) clientRun {
				return runYarn(t, p, dir, "install", "--immutable")
			},
			wantFrozen: []string{"Response Code: 403 (Blocked by vigil-proxy: ", "Request URL: " + resolved},
			agent:      "got (", // yarn berry sends its HTTP library's User-Agent
		},
	}
	dirs := map[string]string{}
	for _, c := range clients {
		dirs[c.name] = npmProject(t, c.deps)
	}

	t.Run("lock while allowed", func(t *testing.T) {
		for _, c := range clients {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				dir := dirs[c.name]
				c.lock(t, before, dir).check(t, c.name+": lockfile written while allowed", 0, c.wantLock...)
				wantInstalled(t, dir, map[string]string{"vigil-npm-locked": "1.1.0"})
				lock, err := os.ReadFile(filepath.Join(dir, c.lockfile))
				if err != nil {
					t.Fatalf("read %s: %v", c.lockfile, err)
				}
				if !strings.Contains(string(lock), c.locked) {
					t.Errorf("%s lacks %q:\n%s", c.lockfile, c.locked, lock)
				}
			})
		}
	})
	before.Stop()
	if t.Failed() {
		t.FailNow()
	}
	fetched := fake.Requests(tarball)
	if fetched < 1 {
		t.Fatalf("upstream requests for %s while allowed: %d, want ≥ 1", tarball, fetched)
	}

	after := startProxy(t, npmEnv(fake, map[string]string{
		"VIGIL_LISTEN": strings.TrimPrefix(before.URL, "http://"),
		"VIGIL_DENY":   "npm:vigil-npm-locked@1.1.0",
	}))
	t.Run("frozen install after deny", func(t *testing.T) {
		for _, c := range clients {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				dir := dirs[c.name]
				for _, d := range []string{"node_modules", ".yarn"} {
					if err := os.RemoveAll(filepath.Join(dir, d)); err != nil {
						t.Fatalf("remove %s: %v", d, err)
					}
				}
				c.frozen(t, after, dir).check(t, c.name+": install from lockfile whose version is now denied", 1, c.wantFrozen...)
				wantInstalled(t, dir, map[string]string{"vigil-npm-locked": ""})
			})
		}
	})
	wantRequests(t, fake, tarball, fetched)

	evs := eventsFor(after.Events(t), "vigil-npm-locked")
	for _, c := range clients {
		found := false
		for _, ev := range evs {
			if ev.Verdict == "block" && slices.Contains(ev.Rules, "DENYLIST") && strings.HasPrefix(ev.Client, c.agent) {
				found = true
				if ev.Route != "tarball" || ev.Version != "1.1.0" {
					t.Errorf("%s block event route %q version %q, want tarball 1.1.0", c.name, ev.Route, ev.Version)
				}
			}
		}
		if !found {
			t.Errorf("no DENYLIST block event from a %s client:\n%s", c.name, describeEvents(evs))
		}
	}
}

// TestPnpm installs through the proxy with pnpm 10; `pnpm add
// vigil-npm-fresh` follows the re-pointed `latest` tag.
func TestPnpm(t *testing.T) {
	t.Parallel()
	fake, p := startNPMProxy(t, nil)

	t.Run("install", func(t *testing.T) {
		t.Run("mature package with dependency installs", func(t *testing.T) {
			t.Parallel()
			dir := npmProject(t, nil)
			r := runPnpm(t, p, dir, "add", "vigil-npm-mature", "vigil-npm-fresh")
			r.check(t, "pnpm add mature and fresh", 0, "+ vigil-npm-mature 1.2.0", "+ vigil-npm-fresh 1.0.0")
			wantInstalled(t, dir, map[string]string{"vigil-npm-mature": "1.2.0", "vigil-npm-fresh": "1.0.0"})
			base := filepath.Join(dir, "node_modules", ".pnpm", "vigil-npm-base@1.1.0", "node_modules", "vigil-npm-base", "package.json")
			if _, err := os.Stat(base); err != nil {
				t.Errorf("dependency vigil-npm-base@1.1.0 not in pnpm's store layout: %v", err)
			}
		})
		t.Run("blocked package fails", func(t *testing.T) {
			t.Parallel()
			dir := npmProject(t, nil)
			r := runPnpm(t, p, dir, "add", "vigil-npm-young")
			r.check(t, "pnpm add a five-day-old package", 1,
				"ERR_PNPM_FETCH_403", "Blocked by vigil-proxy: 'vigil-npm-young' was first published", "- 403")
			wantInstalled(t, dir, map[string]string{"vigil-npm-young": ""})
		})
	})
	t.Run("upstream", func(t *testing.T) {
		wantRequests(t, fake, "/vigil-npm-young/-/vigil-npm-young-0.1.0.tgz", 0)
		wantRequests(t, fake, "/vigil-npm-fresh/-/vigil-npm-fresh-1.1.0.tgz", 0)
	})
}

// TestYarn installs through the proxy with yarn berry 4 (.yarnrc.yml as
// written by yarnrc).
func TestYarn(t *testing.T) {
	t.Parallel()
	fake, p := startNPMProxy(t, nil)

	t.Run("install", func(t *testing.T) {
		t.Run("mature package with dependency installs", func(t *testing.T) {
			t.Parallel()
			dir := npmProject(t, map[string]string{
				"vigil-npm-mature": "^1.0.0", "@vigil-e2e/scoped": "^2.0.0", "vigil-npm-fresh": "^1.0.0"})
			r := runYarn(t, p, dir, "install")
			r.check(t, "yarn install mature packages", 0, "@vigil-e2e/scoped@npm:2.1.0",
				"vigil-npm-mature@npm:1.2.0", "vigil-npm-base@npm:1.1.0", "vigil-npm-fresh@npm:1.0.0", "Done in")
			wantInstalled(t, dir, map[string]string{"vigil-npm-mature": "1.2.0", "@vigil-e2e/scoped": "2.1.0",
				"vigil-npm-base": "1.1.0", "vigil-npm-fresh": "1.0.0"})
		})
		t.Run("blocked package fails", func(t *testing.T) {
			t.Parallel()
			dir := npmProject(t, map[string]string{"vigil-npm-young": "^0.1.0"})
			r := runYarn(t, p, dir, "install")
			r.check(t, "yarn install a five-day-old package", 1,
				"Response Code: 403 (Blocked by vigil-proxy: 'vigil-npm-young' was first published")
			wantInstalled(t, dir, map[string]string{"vigil-npm-young": ""})
		})
	})
	t.Run("upstream", func(t *testing.T) {
		wantRequests(t, fake, "/vigil-npm-young/-/vigil-npm-young-0.1.0.tgz", 0)
		wantRequests(t, fake, "/vigil-npm-fresh/-/vigil-npm-fresh-1.1.0.tgz", 0)
	})
}

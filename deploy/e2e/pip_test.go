package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/pypi"
	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
	"github.com/vigil-proxy/vigil-proxy/store"
)

const day = 24 * time.Hour

// pypiEnv points a proxy at a fake PyPI; extra entries are merged over it.
func pypiEnv(fake *pypitest.Server, extra map[string]string) map[string]string {
	env := map[string]string{
		"VIGIL_PYPI_UPSTREAM":   fake.URL,
		"VIGIL_PYPI_FILE_HOSTS": fake.FilesHost(),
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// requirePip returns the absolute path of a python3 that has pip. The path
// is resolved once with the developer's environment, so interpreter shims
// (pyenv) keep working under runCmd's clean HOME.
func requirePip(t testing.TB) string {
	t.Helper()
	const install = "apt-get install -y python3 python3-pip"
	py := requireTool(t, "python3", install)
	out, err := exec.Command(py, "-c", "import sys, pip; print(sys.executable)").CombinedOutput()
	if err != nil {
		t.Fatalf("python3 -m pip is required by this test and unusable (%v: %s); install it with: %s", err, out, install)
	}
	lines := strings.Fields(string(out))
	if len(lines) == 0 {
		t.Fatalf("python3 did not print its executable path")
	}
	return lines[len(lines)-1]
}

// pipInstall runs `python3 -m pip install` against the proxy's simple index
// into target with no user configuration. It returns the command line as a
// user would type it (for the transcript), pip's output and exit status.
func pipInstall(t testing.TB, py string, p *Proxy, target string, reqs ...string) (cmdline, out string, code int) {
	t.Helper()
	index := p.URL + "/pypi/simple/"
	args := append([]string{"-m", "pip", "install", "--index-url", index, "--no-cache-dir",
		"--target", target, "--disable-pip-version-check", "--no-input"}, reqs...)
	out, code = runCmd(t, "", map[string]string{
		"PIP_CONFIG_FILE":      os.DevNull,
		"PIP_ROOT_USER_ACTION": "ignore", // no root warning in the transcript
	}, py, args...)
	cmdline = "python3 -m pip install --index-url " + index + " --no-cache-dir --target ./target --disable-pip-version-check --no-input " + strings.Join(reqs, " ")
	return cmdline, out, code
}

// installedVersions returns the versions of project found as
// <name>-<version>.dist-info directories in target.
func installedVersions(t testing.TB, target, project string) []string {
	t.Helper()
	esc := strings.ReplaceAll(pypi.Normalize(project), "-", "_")
	matches, err := filepath.Glob(filepath.Join(target, esc+"-*.dist-info"))
	if err != nil {
		t.Fatalf("glob dist-info: %v", err)
	}
	var out []string
	for _, m := range matches {
		out = append(out, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(m), esc+"-"), ".dist-info"))
	}
	return out
}

// requireOutput fails the test for every want substring missing from out.
func requireOutput(t testing.TB, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q", w)
		}
	}
}

// repo gives fixture projects a source repository so DEP-005 stays quiet.
func repo(name string) map[string]string {
	return map[string]string{"Source": "https://github.com/vigil-e2e/" + name}
}

// pipFixtures is the fake PyPI used by TestPip, relative to now.
func pipFixtures(now time.Time) []pypitest.Project {
	old := time.Date(2021, 3, 1, 12, 0, 0, 0, time.UTC)
	return []pypitest.Project{
		{Name: "vigil-e2e-mature", ProjectURLs: repo("mature"), Dists: []pypitest.Dist{
			{Version: "1.0.0", Uploaded: old},
			{Version: "1.2.0", Uploaded: old.Add(90 * day), Deps: []string{"vigil-e2e-base>=1.0"}},
		}},
		{Name: "vigil-e2e-base", ProjectURLs: repo("base"), Dists: []pypitest.Dist{
			{Version: "1.0.0", Uploaded: old},
			{Version: "1.1.0", Uploaded: old.Add(30 * day)},
		}},
		{Name: "vigil-e2e-fresh", ProjectURLs: repo("fresh"), Dists: []pypitest.Dist{
			{Version: "1.0.0", Uploaded: old},
			{Version: "1.1.0", Uploaded: now.Add(-2*day - time.Hour)},
		}},
		{Name: "vigil-e2e-young", ProjectURLs: repo("young"), Dists: []pypitest.Dist{
			{Version: "0.1.0", Uploaded: now.Add(-5*day - time.Hour)},
		}},
		{Name: "young-allowed", ProjectURLs: repo("young-allowed"), Dists: []pypitest.Dist{
			{Version: "0.3.0", Uploaded: now.Add(-3*day - time.Hour)},
		}},
		{Name: "denied-pkg", ProjectURLs: repo("denied-pkg"), Dists: []pypitest.Dist{
			{Version: "2.0.0", Uploaded: old},
		}},
	}
}

// pipCase is one acceptance scenario of TestPip.
type pipCase struct {
	name     string
	reqs     []string
	wantExit int      // 0 = success; pip exits 1 on resolution and download errors
	wantOut  []string // substrings of pip's output
	// wantVerbose, when set, repeats the install with -vv and requires these
	// substrings: pip logs index-page errors only at debug level.
	wantVerbose []string
	check       func(t *testing.T, target, out string)
	audit       func(t *testing.T, evs []store.Event)
}

func TestPip(t *testing.T) {
	t.Parallel()
	py := requirePip(t)
	fake := pypitest.NewServer(t, pipFixtures(time.Now().UTC())...)
	p := startProxy(t, pypiEnv(fake, map[string]string{
		"VIGIL_ALLOW": "pypi:young-allowed",
		"VIGIL_DENY":  "pypi:denied-pkg",
	}))

	cases := []pipCase{
		{
			name:    "mature package with dependency installs",
			reqs:    []string{"vigil-e2e-mature"},
			wantOut: []string{"Successfully installed vigil-e2e-base-1.1.0 vigil-e2e-mature-1.2.0"},
			check: func(t *testing.T, target, _ string) {
				for _, f := range []string{"vigil_e2e_mature/__init__.py", "vigil_e2e_base/__init__.py"} {
					if _, err := os.Stat(filepath.Join(target, f)); err != nil {
						t.Errorf("installed file missing: %v", err)
					}
				}
				wantVersions(t, target, "vigil-e2e-mature", "1.2.0")
			},
			audit: func(t *testing.T, evs []store.Event) {
				for _, pkg := range []string{"vigil-e2e-mature", "vigil-e2e-base"} {
					got := eventsFor(evs, pkg)
					if _, blocked := findEvent(got, "block", ""); blocked {
						t.Errorf("%s: a block event was recorded:\n%s", pkg, describeEvents(got))
					}
				}
			},
		},
		{
			name:    "two-day-old release is skipped",
			reqs:    []string{"vigil-e2e-fresh"},
			wantOut: []string{"Successfully installed vigil-e2e-fresh-1.0.0"},
			check: func(t *testing.T, target, _ string) {
				wantVersions(t, target, "vigil-e2e-fresh", "1.0.0")
				page := httpGetBody(t, p.URL+"/pypi/simple/vigil-e2e-fresh/")
				want := `data-yanked="vigil-proxy: file vigil_e2e_fresh-1.1.0-py3-none-any.whl of version 1.1.0 was uploaded 2 days ago (policy: 7 days)"`
				if !strings.Contains(page, want) {
					t.Errorf("simple page lacks %s:\n%s", want, page)
				}
			},
		},
		{
			name:     "pinned two-day-old release is refused",
			reqs:     []string{"vigil-e2e-fresh==1.1.0"},
			wantExit: 1,
			// pip reads the PEP 658 metadata first; its 403 reason phrase is
			// what the user sees (the yank reason is never printed); pip 23.2 prints
			// it after "ERROR: ", pip 23.0 (Debian 12) after "because of HTTP error ".
			wantOut: []string{"403 Client Error: Blocked by vigil-proxy: file vigil_e2e_fresh-1.1.0-py3-none-any.whl of version 1.1.0 was uploaded 2 days ago (policy: 7 days)"},
			check: func(t *testing.T, target, _ string) {
				wantVersions(t, target, "vigil-e2e-fresh")
			},
			audit: func(t *testing.T, evs []store.Event) {
				got := eventsFor(evs, "vigil-e2e-fresh")
				ev, ok := findEvent(got, "block", "DEP-002")
				if !ok {
					t.Fatalf("no DEP-002 block event for vigil-e2e-fresh:\n%s", describeEvents(got))
				}
				if ev.Version != "1.1.0" || ev.Route != "file" {
					t.Errorf("block event: version %q route %q, want 1.1.0 file", ev.Version, ev.Route)
				}
			},
		},
		{
			name:        "five-day-old project is refused",
			reqs:        []string{"vigil-e2e-young"},
			wantExit:    1,
			wantOut:     []string{"No matching distribution found for vigil-e2e-young"},
			wantVerbose: []string{"403 Client Error: Blocked by vigil-proxy: 'vigil-e2e-young' was first published 5 days ago (policy: 30 days)"},
			check: func(t *testing.T, target, _ string) {
				wantVersions(t, target, "vigil-e2e-young")
			},
			audit: func(t *testing.T, evs []store.Event) {
				got := eventsFor(evs, "vigil-e2e-young")
				ev, ok := findEvent(got, "block", "DEP-002")
				if !ok {
					t.Fatalf("no DEP-002 block event for vigil-e2e-young:\n%s", describeEvents(got))
				}
				if !strings.Contains(ev.Client, "pip/") {
					t.Errorf("event Client %q lacks the pip User-Agent", ev.Client)
				}
			},
		},
		{
			name:        "nonexistent name is refused",
			reqs:        []string{"vigil-e2e-ghost"},
			wantExit:    1,
			wantOut:     []string{"No matching distribution found for vigil-e2e-ghost"},
			wantVerbose: []string{"404 Client Error: Blocked by vigil-proxy: 'vigil-e2e-ghost' does not exist on PyPI"},
			audit: func(t *testing.T, evs []store.Event) {
				got := eventsFor(evs, "vigil-e2e-ghost")
				if _, ok := findEvent(got, "block", "DEP-001"); !ok {
					t.Errorf("no DEP-001 block event for vigil-e2e-ghost:\n%s", describeEvents(got))
				}
			},
		},
		{
			name:    "allowlisted young project installs",
			reqs:    []string{"young-allowed"},
			wantOut: []string{"Successfully installed young-allowed-0.3.0"},
			check: func(t *testing.T, target, _ string) {
				wantVersions(t, target, "young-allowed", "0.3.0")
			},
			audit: func(t *testing.T, evs []store.Event) {
				got := eventsFor(evs, "young-allowed")
				if _, blocked := findEvent(got, "block", ""); blocked || len(got) == 0 {
					t.Errorf("want only allow events for young-allowed, got:\n%s", describeEvents(got))
				}
			},
		},
		{
			name:        "denylisted project is refused",
			reqs:        []string{"denied-pkg"},
			wantExit:    1,
			wantOut:     []string{"No matching distribution found for denied-pkg"},
			wantVerbose: []string{"403 Client Error: Blocked by vigil-proxy: denylisted by entry pypi:denied-pkg"},
			check: func(t *testing.T, target, _ string) {
				wantVersions(t, target, "denied-pkg")
			},
			audit: func(t *testing.T, evs []store.Event) {
				got := eventsFor(evs, "denied-pkg")
				if _, ok := findEvent(got, "block", "DENYLIST"); !ok {
					t.Errorf("no DENYLIST block event for denied-pkg:\n%s", describeEvents(got))
				}
			},
		},
	}

	t.Run("install", func(t *testing.T) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				target := t.TempDir()
				cmdline, out, code := pipInstall(t, py, p, target, c.reqs...)
				recordTranscript(t, c.name, cmdline, out, code)
				if code != c.wantExit {
					t.Errorf("pip exit status: got %d, want %d", code, c.wantExit)
				}
				requireOutput(t, out, c.wantOut...)
				if c.check != nil {
					c.check(t, target, out)
				}
				if len(c.wantVerbose) == 0 {
					return
				}
				cmdline, out, code = pipInstall(t, py, p, t.TempDir(), append([]string{"-vv"}, c.reqs...)...)
				recordTranscript(t, c.name+" (-vv, lines mentioning vigil-proxy)", cmdline, grepLines(out, "vigil-proxy"), code)
				requireOutput(t, out, c.wantVerbose...)
			})
		}
	})

	evs := p.Events(t)
	t.Run("audit", func(t *testing.T) {
		for _, c := range cases {
			if c.audit == nil {
				continue
			}
			t.Run(c.name, func(t *testing.T) { c.audit(t, evs) })
		}
	})
	if t.Failed() {
		t.Logf("all audit events:\n%s", describeEvents(evs))
	}
}

// grepLines returns the lines of out containing sub.
func grepLines(out, sub string) string {
	var keep []string
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, sub) {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}

// wantVersions fails unless exactly the given versions of project are
// installed in target (none when versions is empty).
func wantVersions(t *testing.T, target, project string, versions ...string) {
	t.Helper()
	got := installedVersions(t, target, project)
	if strings.Join(got, ",") != strings.Join(versions, ",") {
		t.Errorf("installed %s versions: got %v, want %v", project, got, versions)
	}
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/npm/npmtest"
	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
)

// Issue #10 item 7: `check` resolves npm ranges and dist-tags and PEP 440
// specifiers as the clients do, against the versions policy allows. The
// oracles are npm's own semver package (installed from npm: `npm install
// -g semver`) with npm-pick-manifest's rule (the latest tag when it
// satisfies, else the highest match), and Python's packaging (Debian
// python3-packaging) with pip's rule (highest match of
// SpecifierSet.filter).

var (
	resolveNPMVersions  = []string{"1.0.0", "1.2.3", "1.2.4-beta.1", "2.0.0", "2.1.0", "3.9.9", "4.0.0", "4.1.2", "4.2.0-rc.1", "5.0.0", "5.3.0", "6.0.0-beta.1"}
	resolveNPMYoung     = "5.4.0" // too new: policy blocks it, so it must never be picked
	resolvePyPIVersions = []string{"0.9", "1.0.0", "1.0.1", "1.1", "1.4.2", "2.0.0", "2.0.1.post1", "2.31.0", "3.0.0b1", "3.0.0"}
	resolvePyPIYoung    = "3.1.0"
)

func randomNPMSpec(r *rand.Rand) string {
	pool := append(append([]string{}, resolveNPMVersions...), "1.2.0", "3.0.0", "4.1.0", "7.0.0", "4.2.0-rc.0", resolveNPMYoung)
	v := func() string { return pool[r.IntN(len(pool))] }
	short := func() string {
		p := strings.Split(strings.SplitN(v(), "-", 2)[0], ".")
		return strings.Join(p[:1+r.IntN(3)], ".")
	}
	switch r.IntN(13) {
	case 0:
		return v()
	case 1:
		return "^" + v()
	case 2:
		return "~" + v()
	case 3:
		return ">=" + v() + " <" + v()
	case 4:
		return short() + ".x"
	case 5:
		return short()
	case 6:
		return "*"
	case 7:
		return "latest"
	case 8:
		return "^" + short() + " || ~" + v()
	case 9:
		return v() + " - " + v()
	case 10:
		return ">" + v()
	case 11:
		return "<=" + v()
	default:
		return "^" + short()
	}
}

func randomPEP440Spec(r *rand.Rand) string {
	pool := append(append([]string{}, resolvePyPIVersions...), "1.2", "2.5", "4", "3.0.0a1", resolvePyPIYoung)
	v := func() string { return pool[r.IntN(len(pool))] }
	switch r.IntN(10) {
	case 0:
		return "==" + v()
	case 1:
		return ">=" + v()
	case 2:
		return "<" + v()
	case 3:
		return ">=" + v() + ",<" + v()
	case 4:
		compat := []string{"0.9", "1.0", "1.1", "1.4", "2.0", "2.0.1", "2.31", "3.0", "3.0.0", "3.1"}
		return "~=" + compat[r.IntN(len(compat))]
	case 5:
		return "!=" + v()
	case 6:
		return "==" + strings.Split(v(), ".")[0] + ".*"
	case 7:
		return ">" + v() + ",!=" + v()
	case 8:
		return "<=" + v()
	default:
		return ">=" + v() + ",<=" + v() + ",!=" + v()
	}
}

// oracle runs a script over JSON cases on stdin and returns one answer per
// line ("" = nothing matches).
func oracle(t *testing.T, name string, cmd *exec.Cmd, cases any) []string {
	t.Helper()
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("%s oracle failed: %v\n%s", name, err, stderr)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "=")
	}
	return lines
}

const semverOracle = `
const semver = require(process.argv[1] + '/semver');
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = [];
for (const c of cases) {
  let pick = null;
  if (Object.prototype.hasOwnProperty.call(c.tags, c.spec)) {
    pick = c.versions.includes(c.tags[c.spec]) ? c.tags[c.spec] : null;
  } else if (semver.validRange(c.spec)) {
    // npm-pick-manifest: the default tag wins when it satisfies the range.
    if (c.tags.latest && semver.satisfies(c.tags.latest, c.spec)) pick = c.tags.latest;
    else pick = semver.maxSatisfying(c.versions, c.spec);
  }
  out.push('=' + (pick || ''));
}
console.log(out.join('\n'));
`

const packagingOracle = `
import json, sys
from packaging.specifiers import SpecifierSet
from packaging.version import Version
out = []
for c in json.load(sys.stdin):
    ok = list(SpecifierSet(c["spec"]).filter(c["versions"]))
    # the version string as listed, not packaging's normal form
    out.append("=" + (max(ok, key=Version) if ok else ""))
print("\n".join(out))
`

func npmGlobalRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("npm", "root", "-g").Output()
	if err != nil {
		t.Fatalf("npm root -g: %v (install npm)", err)
	}
	root := strings.TrimSpace(string(out))
	if _, err := os.Stat(filepath.Join(root, "semver", "package.json")); err != nil {
		t.Fatalf("npm's semver package is not installed globally (npm install -g semver): %v", err)
	}
	return root
}

// checkVersions runs one `check --json` over many specs and returns the
// version each resolved to ("" when check said no version matches).
func checkVersions(t *testing.T, environ map[string]string, eco, name, sep string, specs []string) []string {
	t.Helper()
	args := []string{"check", "--json", eco}
	for _, s := range specs {
		args = append(args, name+sep+s)
	}
	_, out, errOut := runCLI(t, environ, "", args...)
	var got []string
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rep policy.Report
		if err := json.Unmarshal(sc.Bytes(), &rep); err != nil {
			t.Fatalf("line %q: %v (stderr %s)", sc.Text(), err, errOut)
		}
		switch {
		case rep.Error != "":
			t.Fatalf("%s%s%s: error %s", name, sep, rep.Requested, rep.Error)
		case hasRule(rep, policy.RuleNonexistentVersion):
			got = append(got, "")
		case rep.Verdict == policy.Block:
			got = append(got, "BLOCKED "+rep.Version+" "+rep.Reason)
		default:
			got = append(got, rep.Version)
		}
	}
	if len(got) != len(specs) {
		t.Fatalf("%d reports for %d specs:\n%s\n%s", len(got), len(specs), out, errOut)
	}
	return got
}

func TestCheckResolvesRangesLikeTheClients(t *testing.T) {
	old := time.Now().Add(-400 * day)
	young := time.Now().Add(-2 * day)
	repo := map[string]string{"type": "git", "url": "git+https://github.com/chalk/chalk.git"}
	var nv []npmtest.Version
	for _, v := range resolveNPMVersions {
		nv = append(nv, npmtest.Version{Version: v, Published: old})
	}
	nv = append(nv, npmtest.Version{Version: resolveNPMYoung, Published: young})
	npmFake := npmtest.NewServer(t, npmtest.Package{Name: "chalk", Repository: repo, Created: old, Versions: nv,
		DistTags: map[string]string{"latest": "4.1.2", "next": "6.0.0-beta.1"}})
	var dists []pypitest.Dist
	for _, v := range append(append([]string{}, resolvePyPIVersions...), resolvePyPIYoung) {
		up := old
		if v == resolvePyPIYoung {
			up = young
		}
		dists = append(dists, pypitest.Dist{Version: v, Uploaded: up})
	}
	pypiFake := pypitest.NewServer(t, pypitest.Project{Name: "requests", ProjectURLs: map[string]string{"Source": "https://github.com/psf/requests"}, Dists: dists})
	environ := map[string]string{
		"VIGIL_DATA_DIR": t.TempDir(), "VIGIL_POPULARITY_ONLINE": "false",
		"VIGIL_PYPI_UPSTREAM": pypiFake.URL, "VIGIL_PYPI_FILE_HOSTS": pypiFake.FilesHost(),
		"VIGIL_NPM_UPSTREAM": npmFake.URL, "VIGIL_NPM_TARBALL_HOSTS": npmFake.TarballHost(),
	}

	// The example, by hand: chalk@4 installs the latest tag, 4.1.2.
	code, out, _ := runCLI(t, environ, "", "check", "npm", "chalk@4")
	if code != exitOK || !strings.Contains(out, "npm chalk 4.1.2 (4 resolves to 4.1.2)") {
		t.Errorf("check npm chalk@4: exit %d\n%s", code, out)
	}

	r := rand.New(rand.NewPCG(8, 10))
	const n = 300
	type npmCase struct {
		Spec     string            `json:"spec"`
		Versions []string          `json:"versions"`
		Tags     map[string]string `json:"tags"`
	}
	var npmSpecs []string
	var npmCases []npmCase
	for range n {
		s := randomNPMSpec(r)
		npmSpecs = append(npmSpecs, s)
		// The client sees the filtered packument: the young version hidden.
		npmCases = append(npmCases, npmCase{Spec: s, Versions: resolveNPMVersions, Tags: map[string]string{"latest": "4.1.2", "next": "6.0.0-beta.1"}})
	}
	want := oracle(t, "semver", exec.Command("node", "-e", semverOracle, npmGlobalRoot(t)), npmCases)
	got := checkVersions(t, environ, "npm", "chalk", "@", npmSpecs)
	mismatches := 0
	for i := range npmSpecs {
		// Only the too-new version matches: the client finds nothing to
		// install, and check names the refusal (DEP-002) instead.
		if want[i] == "" && strings.HasPrefix(got[i], "BLOCKED "+resolveNPMYoung+" ") {
			continue
		}
		if got[i] != want[i] {
			mismatches++
			t.Errorf("npm chalk@%q: check picked %q, npm (semver) picks %q", npmSpecs[i], got[i], want[i])
		}
	}

	type pyCase struct {
		Spec     string   `json:"spec"`
		Versions []string `json:"versions"`
	}
	var pySpecs []string
	var pyCases []pyCase
	for range n {
		s := randomPEP440Spec(r)
		pySpecs = append(pySpecs, s)
		pyCases = append(pyCases, pyCase{Spec: s, Versions: resolvePyPIVersions})
	}
	want = oracle(t, "packaging", exec.Command("/usr/bin/python3", "-c", packagingOracle), pyCases)
	got = checkVersions(t, environ, "pypi", "requests", "", pySpecs)
	for i := range pySpecs {
		g := got[i]
		if want[i] == "" && strings.HasPrefix(g, "BLOCKED "+resolvePyPIYoung+" ") {
			continue
		}
		if g != want[i] {
			mismatches++
			t.Errorf("pypi requests%s: check picked %q, pip (packaging) picks %q", pySpecs[i], g, want[i])
		}
	}
	t.Logf("%d npm and %d PEP 440 random specs, %d mismatches", n, n, mismatches)
}

// Issue #10 item 8: with a serve holding the data directory's store,
// `check --offline` cannot read its lists and watchlist; it says so in the
// text and in every JSON line, and points at --proxy.
func TestCheckOfflineSaysLockedStoreWasNotConsulted(t *testing.T) {
	fake := fakePyPI(t)
	environ := checkEnv(t, fake)
	addr := freeAddr(t)
	environ["VIGIL_LISTEN"] = addr
	environ["VIGIL_ADMIN_LISTEN"] = ""
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"serve"}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, envMap(environ))
	}()
	defer func() {
		cancel()
		<-done
	}()
	waitHealthy(t, "http://"+addr)

	code, out, errOut := runCLI(t, environ, "", "check", "--offline", "pypi", "requests")
	if code != exitOK {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"ALLOW pypi requests", "store.db is locked", "allow/deny list entries and the hallucination watchlist were NOT consulted", "--proxy URL"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	_, out, _ = runCLI(t, environ, "", "check", "--offline", "--json", "pypi", "requests", "reqeusts")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 JSON lines:\n%s", out)
	}
	for _, l := range lines {
		var rep policy.Report
		if err := json.Unmarshal([]byte(l), &rep); err != nil {
			t.Fatal(err)
		}
		joined := strings.Join(rep.Notes, "\n")
		if !strings.Contains(joined, "watchlist were NOT consulted") || !strings.Contains(joined, "--proxy") {
			t.Errorf("%s: notes %q do not say the store was not consulted", rep.Name, rep.Notes)
		}
	}
	// Without a running serve the store is read and nothing is said.
	cancel()
	<-done
	done = make(chan int, 1)
	done <- 0
	_, out, _ = runCLI(t, environ, "", "check", "--offline", "pypi", "requests")
	if strings.Contains(out, "NOT consulted") {
		t.Errorf("store free, yet the output says it was not consulted:\n%s", out)
	}
}

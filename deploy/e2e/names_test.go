package e2e

// Name intelligence end to end (issue 4): typosquats of popular names are
// refused with the target named, and a name that 404'd and was registered
// later is refused as a probable slopsquat and shown on the watchlist.

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/npm/npmtest"
	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
	"github.com/vigil-proxy/vigil-proxy/store"
	"github.com/vigil-proxy/vigil-proxy/store/boltstore"
)

const (
	// typoPyPI is flagged by the typosquat index at high confidence
	// (`vigil-proxy check --offline pypi reqeusts` blocks with DEP-003).
	typoPyPI = "reqeusts"
	// slopPyPI and slopNPM are names assistants have invented (huggingface-cli
	// was registered on PyPI after researchers saw it hallucinated). Neither
	// is near a popular name, so only DEP-001 can refuse them.
	slopPyPI = "huggingface-cli"
	slopNPM  = "react-codeshift"
	// negativeTTL is how long the slopsquat proxies remember an upstream 404
	// (VIGIL_CACHE_NEGATIVE_TTL); the tests wait past it.
	negativeTTL = time.Second
)

// newAdminToken returns a random admin bearer token for one proxy.
func newAdminToken() string { return "e2e-" + rand.Text() }

// oldEnough is a publication time that no age rule objects to.
func oldEnough() time.Time { return time.Now().UTC().Add(-400 * day) }

// runVigil runs the built vigil-proxy binary (e.g. its check subcommand)
// with a clean environment plus env.
func runVigil(t *testing.T, env map[string]string, args ...string) clientRun {
	t.Helper()
	out, code := runCmd(t, "", env, suite.bin, args...)
	return clientRun{cmdline: "vigil-proxy " + strings.Join(args, " "), out: out, code: code}
}

// runPip runs `python3 -m pip <args>` with no user configuration.
func runPip(t *testing.T, py string, args ...string) clientRun {
	t.Helper()
	out, code := runCmd(t, "", map[string]string{"PIP_CONFIG_FILE": os.DevNull}, py, append([]string{"-m", "pip"}, args...)...)
	return clientRun{cmdline: "python3 -m pip " + strings.Join(args, " "), out: out, code: code}
}

// pipInstallRun is pipInstall as a clientRun.
func pipInstallRun(t *testing.T, py string, p *Proxy, reqs ...string) clientRun {
	t.Helper()
	cmdline, out, code := pipInstall(t, py, p, t.TempDir(), reqs...)
	return clientRun{cmdline: cmdline, out: out, code: code}
}

// verbose records only the lines of a -vv run that mention the proxy.
func (r clientRun) verbose(t *testing.T, title string, want int, wants ...string) {
	t.Helper()
	recordTranscript(t, title+" (-vv, lines mentioning vigil-proxy)", r.cmdline, grepLines(r.out, "vigil-proxy"), r.code)
	if r.code != want {
		t.Errorf("%s: exit status %d, want %d", title, r.code, want)
	}
	requireOutput(t, r.out, wants...)
}

// checkReport GETs the proxy's verdict API for one name.
func checkReport(t *testing.T, p *Proxy, eco policy.Ecosystem, name string) policy.Report {
	t.Helper()
	body := httpGetBody(t, p.URL+"/api/v1/check/"+string(eco)+"/"+name)
	var rep policy.Report
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatalf("decode /api/v1/check answer %q: %v", body, err)
	}
	t.Logf("GET /api/v1/check/%s/%s\n%s", eco, name, body)
	return rep
}

// finding returns the report's finding for rule.
func finding(rep policy.Report, rule string) (policy.Finding, bool) {
	for _, f := range rep.Findings {
		if f.Rule == rule {
			return f, true
		}
	}
	return policy.Finding{}, false
}

// wantOnlyBlocker fails unless ev is a block whose blocking findings are all
// from rule (warnings from other rules are allowed).
func wantOnlyBlocker(t *testing.T, ev store.Event, rule string) {
	t.Helper()
	if ev.Verdict != "block" {
		t.Errorf("event verdict %q, want block", ev.Verdict)
	}
	if !slices.ContainsFunc(ev.Findings, func(f policy.Finding) bool { return f.Rule == rule && f.Verdict == policy.Block }) {
		t.Errorf("event findings %+v lack a %s block", ev.Findings, rule)
	}
	for _, f := range ev.Findings {
		if f.Verdict == policy.Block && f.Rule != rule {
			t.Errorf("event also blocked by %s (%s); the fixture should let only %s refuse", f.Rule, f.Reason, rule)
		}
	}
}

// TestPipTyposquat: an old project with a source repository whose name is a
// transposition of `requests` is refused by DEP-003 alone. pip prints no
// body for index pages, so the target is shown by -vv, by a direct file
// download, by the audit event and by `vigil-proxy check --proxy`.
func TestPipTyposquat(t *testing.T) {
	t.Parallel()
	py := requirePip(t)
	fake := pypitest.NewServer(t, pypitest.Project{Name: typoPyPI, ProjectURLs: repo(typoPyPI),
		Dists: []pypitest.Dist{{Version: "1.0.0", Uploaded: oldEnough()}}})
	files := fake.Files(typoPyPI)
	if len(files) != 1 {
		t.Fatalf("fake PyPI files of %s: %d, want 1", typoPyPI, len(files))
	}
	wheel := files[0]
	p := startProxy(t, pypiEnv(fake, map[string]string{"VIGIL_ADMIN_TOKEN": newAdminToken()}))
	// The audit trail and `check` keep the reason's backticks; HTTP reason
	// phrases carry it with plain quotes.
	const reason = "`reqeusts` looks like `requests` (transposed letters)"
	const phrase = "Blocked by vigil-proxy: 'reqeusts' looks like 'requests' (transposed letters)"

	t.Run("pip install", func(t *testing.T) {
		r := pipInstallRun(t, py, p, typoPyPI)
		r.check(t, "pip install of a typosquat", 1, "No matching distribution found for reqeusts")
		v := pipInstallRun(t, py, p, "-vv", typoPyPI)
		v.verbose(t, "pip install of a typosquat", 1,
			"Could not fetch URL "+p.URL+"/pypi/simple/reqeusts/: 403 Client Error: "+phrase)
	})
	t.Run("pip download pinned", func(t *testing.T) {
		r := runPip(t, py, "download", "--no-deps", "--no-cache-dir", "--disable-pip-version-check", "--no-input",
			"--index-url", p.URL+"/pypi/simple/", "-d", t.TempDir(), typoPyPI+"==1.0.0")
		// The index page is refused, so pip never learns the file's URL and
		// cannot show the reason phrase.
		r.check(t, "pip download of a pinned typosquat", 1, "No matching distribution found for reqeusts==1.0.0")
	})
	t.Run("pip install file URL", func(t *testing.T) {
		// A requirements file with direct URLs (e.g. exported from a lock)
		// reaches the file route, where pip prints the reason phrase.
		fileURL := p.URL + "/pypi/files/" + typoPyPI + "/" + wheel.Filename
		r := pipInstallRun(t, py, p, fileURL)
		r.check(t, "pip install of a typosquat's file URL", 1,
			"ERROR: Could not install requirement reqeusts==1.0.0 from "+fileURL+
				" because of HTTP error 403 Client Error: "+phrase+" for url: "+fileURL)
	})
	t.Run("check --proxy", func(t *testing.T) {
		r := runVigil(t, nil, "check", "--proxy", p.URL, "pypi", typoPyPI)
		r.check(t, "vigil-proxy check --proxy of a typosquat", 1,
			"BLOCK pypi reqeusts", "DEP-003 block "+reason)
		rep := checkReport(t, p, policy.PyPI, typoPyPI)
		f, ok := finding(rep, policy.RuleTyposquat)
		if rep.Verdict != policy.Block || !ok || !slices.Contains(f.Suggestions, "requests") {
			t.Errorf("API report: verdict %s, DEP-003 finding %+v (found %t); want block suggesting requests", rep.Verdict, f, ok)
		}
	})
	if got := fake.Requests(wheel.Path); got != 0 {
		t.Errorf("upstream requests for %s: %d, want 0", wheel.Path, got)
	}

	evs := eventsFor(p.Events(t), typoPyPI)
	ev, ok := findEvent(evs, "block", policy.RuleTyposquat)
	if !ok {
		t.Fatalf("no DEP-003 block event for %s:\n%s", typoPyPI, describeEvents(evs))
	}
	wantOnlyBlocker(t, ev, policy.RuleTyposquat)
	if !strings.Contains(ev.Reason, "`requests`") {
		t.Errorf("DEP-003 event reason %q does not name requests", ev.Reason)
	}
	var routes []string
	for _, ev := range evs {
		if ev.Verdict == "block" && slices.Contains(ev.Rules, policy.RuleTyposquat) {
			routes = append(routes, ev.Route)
		}
	}
	for _, want := range []string{"simple", "file"} {
		if !slices.Contains(routes, want) {
			t.Errorf("no DEP-003 block event on route %q (routes %v):\n%s", want, routes, describeEvents(evs))
		}
	}
}

// TestNPMTyposquat: old packages with a repository whose names are a
// transposition of `lodash` and a repeated letter in `express` are refused by
// DEP-003; npm prints the reason phrase naming the target.
func TestNPMTyposquat(t *testing.T) {
	t.Parallel()
	old := oldEnough()
	typo := func(name string) npmtest.Package {
		return npmtest.Package{Name: name, Created: old, Repository: ghRepository(name),
			Versions: []npmtest.Version{{Version: "4.17.21", Published: old}}}
	}
	fake := npmtest.NewServer(t, typo("loadsh"), typo("expresss"))
	p := startProxy(t, npmEnv(fake, map[string]string{"VIGIL_ADMIN_TOKEN": newAdminToken()}))

	// reason is the audit and `check` text; npm shows it with plain quotes.
	cases := []struct{ name, reason, shown string }{
		{"loadsh", "`loadsh` looks like `lodash` (transposed letters)", "'loadsh' looks like 'lodash' (transposed letters)"},
		{"expresss", "`expresss` looks like `express` (a repeated letter)", "'expresss' looks like 'express' (a repeated letter)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := npmProject(t, nil)
			r := runNPM(t, p, dir, t.TempDir(), "install", c.name)
			r.check(t, "npm install of a typosquat", 1, "npm error 403 403 Blocked by vigil-proxy: "+c.shown,
				"npm notice vigil-proxy: "+c.shown+" [rule DEP-003]")
			wantInstalled(t, dir, map[string]string{c.name: ""})
			cr := runVigil(t, nil, "check", "--proxy", p.URL, "npm", c.name)
			cr.check(t, "vigil-proxy check --proxy of a typosquat", 1, "BLOCK npm "+c.name, "DEP-003 block "+c.reason)
			if n := fake.RequestsMatching("/" + c.name + "/-/"); n != 0 {
				t.Errorf("upstream tarball requests for %s: %d, want 0", c.name, n)
			}
		})
	}

	evs := p.Events(t)
	for _, c := range cases {
		got := eventsFor(evs, c.name)
		ev, ok := findEvent(got, "block", policy.RuleTyposquat)
		if !ok {
			t.Errorf("no DEP-003 block event for %s:\n%s", c.name, describeEvents(got))
			continue
		}
		wantOnlyBlocker(t, ev, policy.RuleTyposquat)
		if !strings.Contains(ev.Reason, c.reason) {
			t.Errorf("%s: DEP-003 event reason %q lacks %q", c.name, ev.Reason, c.reason)
		}
		if !strings.HasPrefix(ev.Client, "npm/") {
			t.Errorf("%s: event Client %q lacks npm's User-Agent", c.name, ev.Client)
		}
	}
}

// slopsquatProxyEnv is the proxy setting both slopsquat tests share: a short
// negative cache so a name registered upstream is seen at once.
func slopsquatProxyEnv(extra map[string]string) map[string]string {
	// A slopsquat is registered after its name was refused, so it is also
	// brand-new: the age rules are relaxed to leave DEP-001 alone in view.
	env := map[string]string{"VIGIL_CACHE_NEGATIVE_TTL": negativeTTL.String(), "VIGIL_ADMIN_TOKEN": newAdminToken(),
		"VIGIL_RULES_MIN_PACKAGE_AGE": "1s", "VIGIL_RULES_MIN_RELEASE_AGE": "1s"}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// waitPastNegativeTTL sleeps until an upstream 404 cached now has expired.
func waitPastNegativeTTL() { time.Sleep(negativeTTL + 500*time.Millisecond) }

// adminWatchlist reads the watchlist through the admin API.
func adminWatchlist(t *testing.T, p *Proxy) []store.WatchEntry {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, p.AdminURL+"/api/v1/watchlist", nil)
	if err != nil {
		t.Fatalf("build watchlist request: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+p.AdminToken)
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("GET admin watchlist: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET admin watchlist: %s", resp.Status)
	}
	var body struct {
		Watchlist []store.WatchEntry `json:"watchlist"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("decode admin watchlist: %v", err)
	}
	return body.Watchlist
}

// wantWatched fails unless the watchlist has name (in eco), seen at least
// with first-seen and appeared times set.
func wantWatched(t *testing.T, wl []store.WatchEntry, eco policy.Ecosystem, name string) {
	t.Helper()
	for _, w := range wl {
		if w.Ecosystem == eco && w.Name == name {
			if w.Count < 1 || w.FirstSeen.IsZero() || w.Appeared.IsZero() {
				t.Errorf("watchlist entry %+v: want Count ≥ 1, FirstSeen and Appeared set", w)
			}
			return
		}
	}
	t.Errorf("watchlist lacks %s %s: %+v", eco, name, wl)
}

// storeWatchlist reads the watchlist from a stopped proxy's store.db.
func storeWatchlist(t *testing.T, p *Proxy) []store.WatchEntry {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(p.DataDir, "store.db"), boltstore.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	defer st.Close()
	wl, err := st.Watchlist(context.Background())
	if err != nil {
		t.Fatalf("read watchlist: %v", err)
	}
	return wl
}

// wantSlopsquatEvents fails unless name was first blocked as nonexistent and
// later, after appearing upstream, blocked by DEP-001 as a probable slopsquat.
func wantSlopsquatEvents(t *testing.T, evs []store.Event, name, missing string) {
	t.Helper()
	got := eventsFor(evs, name)
	first, later := -1, -1
	for i, ev := range got {
		if ev.Verdict != "block" || !slices.Contains(ev.Rules, policy.RuleNonexistent) {
			continue
		}
		if first < 0 && strings.Contains(ev.Reason, missing) {
			first = i
		}
		if later < 0 && strings.Contains(ev.Reason, "probable slopsquat") {
			later = i
			wantOnlyBlocker(t, ev, policy.RuleNonexistent)
		}
	}
	if first < 0 || later < 0 || later < first {
		t.Errorf("want a DEP-001 %q block followed by a DEP-001 slopsquat block for %s (indexes %d, %d):\n%s",
			missing, name, first, later, describeEvents(got))
	}
}

// TestPipSlopsquatWatchlist: pip asks for a name PyPI does not know (DEP-001);
// the name is then registered upstream (old upload, source repository, so no
// other rule objects) and pip's next install is refused as a probable
// slopsquat. The watchlist shows it through the admin API, `vigil-proxy
// check --proxy`, and — after the proxy stops — `check` in direct and
// offline mode against the same data directory.
func TestPipSlopsquatWatchlist(t *testing.T) {
	t.Parallel()
	py := requirePip(t)
	fake := pypitest.NewServer(t)
	p := startProxy(t, pypiEnv(fake, slopsquatProxyEnv(nil)))
	const missing = "`huggingface-cli` does not exist on PyPI"

	t.Run("nonexistent", func(t *testing.T) {
		r := pipInstallRun(t, py, p, slopPyPI)
		r.check(t, "pip install of a nonexistent name", 1, "No matching distribution found for "+slopPyPI)
		v := pipInstallRun(t, py, p, "-vv", slopPyPI)
		v.verbose(t, "pip install of a nonexistent name", 1,
			"404 Client Error: Blocked by vigil-proxy: 'huggingface-cli' does not exist on PyPI - did you mean 'huggingface-hub'")
	})
	if t.Failed() {
		t.FailNow()
	}

	// Registered after the refusal (the escalation needs that).
	fake.SetProject(pypitest.Project{Name: slopPyPI, ProjectURLs: repo(slopPyPI),
		Dists: []pypitest.Dist{{Version: "0.1.0", Uploaded: time.Now().UTC()}}})
	waitPastNegativeTTL()
	if page := httpGetBody(t, fake.URL+"/simple/"+slopPyPI+"/"); !strings.Contains(page, "huggingface_cli-0.1.0") {
		t.Fatalf("fake PyPI does not list the registered project:\n%s", page)
	}

	t.Run("registered later", func(t *testing.T) {
		r := pipInstallRun(t, py, p, slopPyPI)
		r.check(t, "pip install of a name registered after it 404'd", 1, "No matching distribution found for "+slopPyPI)
		v := pipInstallRun(t, py, p, "-vv", slopPyPI)
		v.verbose(t, "pip install of a name registered after it 404'd", 1,
			"403 Client Error: Blocked by vigil-proxy: probable slopsquat: 'huggingface-cli' did not exist when first requested on ")
		// The anonymous check API leaves out the watchlist's date and count.
		c := runVigil(t, nil, "check", "--proxy", p.URL, "pypi", slopPyPI)
		c.check(t, "vigil-proxy check --proxy of a probable slopsquat", 1,
			"BLOCK pypi huggingface-cli", "DEP-001 block probable slopsquat: `huggingface-cli` did not exist when first requested and has been registered since")
		wantWatched(t, adminWatchlist(t, p), policy.PyPI, slopPyPI)
	})
	for _, f := range fake.Files(slopPyPI) {
		if n := fake.Requests(f.Path); n != 0 {
			t.Errorf("upstream requests for %s: %d, want 0", f.Path, n)
		}
	}

	evs := p.Events(t) // stops the proxy and releases store.db
	t.Run("audit", func(t *testing.T) { wantSlopsquatEvents(t, evs, slopPyPI, missing) })
	t.Run("watchlist", func(t *testing.T) {
		wantWatched(t, storeWatchlist(t, p), policy.PyPI, slopPyPI)
		env := map[string]string{
			"VIGIL_DATA_DIR":                     p.DataDir,
			"VIGIL_PYPI_UPSTREAM":                fake.URL,
			"VIGIL_PYPI_FILE_HOSTS":              fake.FilesHost(),
			"VIGIL_NPM_UPSTREAM":                 unreachable,
			"VIGIL_POPULARITY_ONLINE":            "false",
			"VIGIL_POPULARITY_PYPISTATS_URL":     unreachable,
			"VIGIL_POPULARITY_NPM_DOWNLOADS_URL": unreachable,
		}
		const want = "DEP-001 block probable slopsquat: `huggingface-cli` did not exist when first requested on "
		runVigil(t, env, "check", "pypi", slopPyPI).check(t, "vigil-proxy check (direct, same data dir)", 1,
			"BLOCK pypi huggingface-cli", want)
		env["VIGIL_PYPI_UPSTREAM"] = unreachable
		runVigil(t, env, "check", "--offline", "pypi", slopPyPI).check(t, "vigil-proxy check --offline (same data dir)", 1,
			"BLOCK pypi huggingface-cli", want)
	})
}

// TestNPMSlopsquatWatchlist is TestPipSlopsquatWatchlist for npm: npm shows
// the JSON error body and the reason phrase, so the word "slopsquat"
// reaches the user.
func TestNPMSlopsquatWatchlist(t *testing.T) {
	t.Parallel()
	fake := npmtest.NewServer(t)
	p := startProxy(t, npmEnv(fake, slopsquatProxyEnv(nil)))
	const missing = "`react-codeshift` does not exist on npm"

	t.Run("nonexistent", func(t *testing.T) {
		dir := npmProject(t, nil)
		r := runNPM(t, p, dir, t.TempDir(), "install", slopNPM)
		r.check(t, "npm install of a nonexistent name", 1,
			"npm error 404 Blocked by vigil-proxy: 'react-codeshift' does not exist on npm - did you mean ", "[rule DEP-001]")
	})
	if t.Failed() {
		t.FailNow()
	}

	registered := time.Now().UTC() // after the refusal (the escalation needs that)
	fake.SetPackage(npmtest.Package{Name: slopNPM, Created: registered, Repository: ghRepository(slopNPM),
		Versions: []npmtest.Version{{Version: "1.0.0", Published: registered}}})
	waitPastNegativeTTL()

	t.Run("registered later", func(t *testing.T) {
		dir := npmProject(t, nil)
		r := runNPM(t, p, dir, t.TempDir(), "install", slopNPM)
		r.check(t, "npm install of a name registered after it 404'd", 1,
			"403 Blocked by vigil-proxy: probable slopsquat: 'react-codeshift' did not exist when first requested on ", "[rule DEP-001]")
		wantInstalled(t, dir, map[string]string{slopNPM: ""})
		c := runVigil(t, nil, "check", "--proxy", p.URL, "npm", slopNPM)
		c.check(t, "vigil-proxy check --proxy of a probable slopsquat", 1,
			"BLOCK npm react-codeshift", "DEP-001 block probable slopsquat: `react-codeshift`")
		wantWatched(t, adminWatchlist(t, p), policy.NPM, slopNPM)
	})
	if n := fake.RequestsMatching("/" + slopNPM + "/-/"); n != 0 {
		t.Errorf("upstream tarball requests for %s: %d, want 0", slopNPM, n)
	}

	evs := p.Events(t)
	t.Run("audit", func(t *testing.T) { wantSlopsquatEvents(t, evs, slopNPM, missing) })
	t.Run("watchlist", func(t *testing.T) {
		wantWatched(t, storeWatchlist(t, p), policy.NPM, slopNPM)
		env := map[string]string{
			"VIGIL_DATA_DIR":                     p.DataDir,
			"VIGIL_NPM_UPSTREAM":                 fake.URL,
			"VIGIL_NPM_TARBALL_HOSTS":            fake.TarballHost(),
			"VIGIL_PYPI_UPSTREAM":                unreachable,
			"VIGIL_POPULARITY_ONLINE":            "false",
			"VIGIL_POPULARITY_PYPISTATS_URL":     unreachable,
			"VIGIL_POPULARITY_NPM_DOWNLOADS_URL": unreachable,
		}
		const want = "DEP-001 block probable slopsquat: `react-codeshift` did not exist when first requested on "
		runVigil(t, env, "check", "npm", slopNPM).check(t, "vigil-proxy check (direct, same data dir)", 1,
			"BLOCK npm react-codeshift", want)
		env["VIGIL_NPM_UPSTREAM"] = unreachable
		runVigil(t, env, "check", "--offline", "npm", slopNPM).check(t, "vigil-proxy check --offline (same data dir)", 1,
			"BLOCK npm react-codeshift", want)
	})
}

// TestNPMWatchlistCannotBePoisoned is issue 10's regression test with the
// real npm client: anonymous requests for case variants (npm names are
// case-sensitive: `LoDash` does not exist) and check-API questions on a
// default deployment (no admin surface) must not get the real packages
// refused as probable slopsquats.
func TestNPMWatchlistCannotBePoisoned(t *testing.T) {
	t.Parallel()
	old := oldEnough()
	fake := npmtest.NewServer(t,
		npmtest.Package{Name: "lodash", Created: old, Repository: ghRepository("lodash"), Versions: []npmtest.Version{{Version: "4.17.21", Published: old}}},
		npmtest.Package{Name: "express", Created: old, Repository: ghRepository("express"), Versions: []npmtest.Version{{Version: "4.21.2", Published: old}}},
		npmtest.Package{Name: "JSONStream", Created: old, Repository: ghRepository("JSONStream"), Versions: []npmtest.Version{{Version: "1.3.5", Published: old}}},
	)
	p := startProxy(t, npmEnv(fake, map[string]string{"VIGIL_CACHE_NEGATIVE_TTL": negativeTTL.String()}))

	for _, path := range []string{"/npm/LoDash", "/npm/jsonstream", "/api/v1/check/npm/Express", "/api/v1/check/npm/LODASH"} {
		resp, err := http.Get(p.URL + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		resp.Body.Close()
		t.Logf("anonymous GET %s: %s", path, resp.Status)
	}
	waitPastNegativeTTL()

	dir := npmProject(t, nil)
	runNPM(t, p, dir, t.TempDir(), "install", "lodash", "express", "JSONStream").check(t,
		"npm install after case-variant requests and check-API questions", 0)
	wantInstalled(t, dir, map[string]string{"lodash": "4.17.21", "express": "4.21.2", "JSONStream": "1.3.5"})
	runVigil(t, nil, "check", "--proxy", p.URL, "npm", "lodash").check(t,
		"vigil-proxy check --proxy on a proxy without an admin surface", 0, "ALLOW npm lodash")

	evs := p.Events(t)
	for _, ev := range evs {
		if ev.Verdict == "block" && slices.Contains([]string{"lodash", "express", "jsonstream"}, strings.ToLower(ev.Package)) &&
			ev.Package != "LoDash" && ev.Package != "jsonstream" && ev.Kind == store.KindDecision {
			t.Errorf("an install of a real package was blocked: %+v", ev)
		}
	}
	var watched []string
	for _, w := range storeWatchlist(t, p) {
		watched = append(watched, w.Name)
	}
	slices.Sort(watched)
	if want := []string{"LoDash", "jsonstream"}; !slices.Equal(watched, want) {
		t.Errorf("watchlist = %v, want exactly the refused install names %v", watched, want)
	}
}

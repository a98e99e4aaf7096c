package main

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/npm/npmtest"
	"github.com/vigil-proxy/vigil-proxy/policy"
)

// npm names are case-sensitive and new ones must be lower-case. Online the
// registry answers for the exact spelling: LODASH does not exist, JSONStream
// (a legacy name, 44M downloads a month) does. Offline must agree rather
// than judge the corpus's lower-case lodash in LODASH's place.
func TestCheckNPMCaseOfflineAgreesWithOnline(t *testing.T) {
	old := time.Now().Add(-3000 * day)
	repo := map[string]string{"type": "git", "url": "git+https://github.com/example/x.git"}
	fake := npmtest.NewServer(t,
		npmtest.Package{Name: "lodash", Created: old, Repository: repo, Versions: []npmtest.Version{{Version: "4.17.21", Published: old}}},
		npmtest.Package{Name: "JSONStream", Created: old, Repository: repo, Versions: []npmtest.Version{{Version: "1.3.5", Published: old}}},
	)
	online := map[string]string{
		"VIGIL_DATA_DIR":          t.TempDir(),
		"VIGIL_NPM_UPSTREAM":      fake.URL,
		"VIGIL_NPM_TARBALL_HOSTS": fake.TarballHost(),
		"VIGIL_PYPI_UPSTREAM":     refusedURL(t),
		"VIGIL_POPULARITY_ONLINE": "false",
		"VIGIL_MALWARE_FEED_URL":  refusedURL(t),
	}
	offline := map[string]string{"VIGIL_DATA_DIR": t.TempDir(), "VIGIL_MALWARE_FEED_URL": refusedURL(t)}
	names := []string{"LODASH", "LoDash", "JSONStream", "lodash"}
	want := map[string]struct {
		verdict policy.Verdict
		rule    string
	}{
		"LODASH":     {policy.Block, policy.RuleNonexistent},
		"LoDash":     {policy.Block, policy.RuleNonexistent},
		"JSONStream": {policy.Allow, ""},
		"lodash":     {policy.Allow, ""},
	}
	for _, mode := range []struct {
		name    string
		environ map[string]string
		flags   []string
	}{{"online", online, nil}, {"offline", offline, []string{"--offline"}}} {
		args := append(append([]string{"check", "--json"}, mode.flags...), "npm")
		_, out, errOut := runCLI(t, mode.environ, "", append(args, names...)...)
		var reps []policy.Report
		sc := bufio.NewScanner(strings.NewReader(out))
		for sc.Scan() {
			var r policy.Report
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatalf("%s: line %q: %v (stderr %q)", mode.name, sc.Text(), err, errOut)
			}
			reps = append(reps, r)
		}
		if len(reps) != len(names) {
			t.Fatalf("%s: %d reports for %d names:\n%s\n%s", mode.name, len(reps), len(names), out, errOut)
		}
		for i, n := range names {
			r, w := reps[i], want[n]
			if r.Verdict != w.verdict || (w.rule != "" && !hasRule(r, w.rule)) {
				t.Errorf("%s check npm %s = %s %+v, want %s %s", mode.name, n, r.Verdict, r.Findings, w.verdict, w.rule)
			}
			if w.rule != "" && (r.Name != n || !strings.Contains(r.Findings[0].Reason, "did you mean `lodash`")) {
				t.Errorf("%s check npm %s: name %q, findings %+v; want the exact name refused, suggesting lodash", mode.name, n, r.Name, r.Findings)
			}
		}
	}
	// The offline text says on what grounds.
	_, out, _ := runCLI(t, offline, "", "check", "--offline", "npm", "LODASH")
	if !strings.Contains(out, "BLOCK npm LODASH") || !strings.Contains(out, "judged offline: npm names are case-sensitive") {
		t.Errorf("offline check npm LODASH printed:\n%s", out)
	}
}

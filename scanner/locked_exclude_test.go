package scanner

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// With --proxy the dependency rules are locked: a repository's .vigil.yaml
// cannot switch them off, lower them or suppress their findings. Its
// exclude globs used to hide the manifests themselves, so a pull request
// adding `exclude: [requirements.txt]` emptied its own gate.
func TestConfigExcludeCannotHideLockedFindings(t *testing.T) {
	root := writeTree(t, map[string]string{
		"app.py":        "FINDME\n",
		"legacy/old.py": "FINDME\nQUIETME\n",
		"vendor/x.py":   "FINDME\n",
	})
	cfg := &Config{Path: ".vigil.yaml", Exclude: []string{"legacy/**"}}
	scan := func(locked []string) *Result {
		t.Helper()
		res, err := Scan(context.Background(), Options{Root: root, Analyzers: []Analyzer{&markerAnalyzer{}},
			Config: cfg, Exclude: []string{"vendor/**"}, Locked: locked})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	// Unlocked: the repository's exclude applies as before.
	if diff := cmp.Diff([]string{"app.py:1 TST-001 high"}, places(scan(nil).Findings)); diff != "" {
		t.Errorf("unlocked (-want +got):\n%s", diff)
	}
	// Locked: the locked rule still reports in the excluded tree, other
	// rules do not, and the command line's --exclude still applies.
	res := scan([]string{"TST-001"})
	if diff := cmp.Diff([]string{"app.py:1 TST-001 high", "legacy/old.py:1 TST-001 high"}, places(res.Findings)); diff != "" {
		t.Errorf("locked (-want +got):\n%s", diff)
	}
	found := false
	for _, n := range res.Notes {
		found = found || strings.Contains(n, "1 finding(s) of locked rules in paths .vigil.yaml excludes are reported")
	}
	if !found {
		t.Errorf("notes %q do not explain the ignored exclude", res.Notes)
	}
}

package scanner

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// A mistyped --rule used to select no rule at all, so the scan passed with
// 0 findings: a CI gate that silently checks nothing.
func TestUnknownRuleIsAnError(t *testing.T) {
	root := writeTree(t, map[string]string{"a.py": "FINDME\n"})
	_, err := Scan(context.Background(), Options{Root: root, Analyzers: []Analyzer{&markerAnalyzer{}}, Rules: []string{"TST-001", "TST-01"}})
	if err == nil || !strings.Contains(err.Error(), `unknown rule "TST-01"`) {
		t.Fatalf("--rule TST-01: err = %v, want an unknown rule error", err)
	}
	res, err := Scan(context.Background(), Options{Root: root, Analyzers: []Analyzer{&markerAnalyzer{}}, Rules: []string{"tst-001"}})
	if err != nil {
		t.Fatalf("--rule tst-001 (case-insensitive): %v", err)
	}
	if len(res.Findings) != 1 {
		t.Errorf("--rule tst-001: %d findings, want 1", len(res.Findings))
	}
}

// A .vigil.yaml entry for a rule that does not exist has no effect: the
// scan says so instead of ignoring it silently.
func TestUnknownConfigRuleIsNoted(t *testing.T) {
	root := writeTree(t, map[string]string{"a.py": "FINDME\n"})
	off := false
	cfg := &Config{Path: ".vigil.yaml", Rules: map[string]RuleConfig{"TST-01": {Enabled: &off}, "TST-001": {Severity: "low"}, "tst-002": {Enabled: &off}}}
	res, err := Scan(context.Background(), Options{Root: root, Analyzers: []Analyzer{&markerAnalyzer{}}, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	want := `.vigil.yaml: rules.TST-01: no such rule, the entry has no effect`
	found := false
	for _, n := range res.Notes {
		if strings.Contains(n, want) {
			found = true
		}
		if strings.Contains(n, "TST-001") || strings.Contains(n, "TST-002 ") {
			t.Errorf("a known rule was reported as unknown: %q", n)
		}
	}
	if !found {
		t.Errorf("notes %q lack %q", res.Notes, want)
	}
	lower := `.vigil.yaml: rules.tst-002: no such rule, the entry has no effect (rule IDs are upper case: TST-002)`
	if !slices.Contains(res.Notes, lower) {
		t.Errorf("notes %q lack %q", res.Notes, lower)
	}
}

package names

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vigil-proxy/vigil-proxy/policy"
)

func tinyIndex() *Index {
	return NewIndex(&Corpus{
		PyPI: []Entry{{Name: "requests", Rank: 1}},
		NPM: []Entry{{Name: "lodash", Rank: 1, Monthly: 50_000_000}, {Name: "leftpad", Rank: 2, Monthly: 3_000_000},
			{Name: "smallpkg", Rank: 3, Monthly: 20_000}},
	})
}

// TestTyposquatRuleOnline: a slip on a lower-tier target only warns from
// the name alone, and blocks when the package is known to be young and
// far less downloaded than its target.
func TestTyposquatRuleOnline(t *testing.T) {
	t.Parallel()
	r := TyposquatRule(tinyIndex())
	now := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	in := func(created time.Time, weekly int64) policy.Input {
		return policy.Input{Now: now, Package: &policy.Package{Ecosystem: policy.NPM, Name: "smallpgk", Exists: true,
			Created: created, Signals: policy.Signals{WeeklyDownloads: weekly}}}
	}
	tests := []struct {
		name string
		in   policy.Input
		want policy.Verdict
	}{
		{"no age known", in(time.Time{}, -1), policy.Warn},
		{"young, downloads unknown", in(now.AddDate(0, 0, -5), -1), policy.Block},
		{"young, few downloads", in(now.AddDate(0, 0, -5), 2), policy.Block},
		{"young but used", in(now.AddDate(0, 0, -5), 20), policy.Warn},
		{"old", in(now.AddDate(-2, 0, 0), -1), policy.Warn},
	}
	for _, tc := range tests {
		f, ok := r.Evaluate(tc.in)
		if !ok || f.Verdict != tc.want {
			t.Errorf("%s: Evaluate = %+v, %v; want verdict %s", tc.name, f, ok, tc.want)
		}
	}
	// a loose resemblance is never escalated
	loose := in(now.AddDate(0, 0, -5), -1)
	loose.Package.Name = "smallpkg-pro"
	if f, ok := r.Evaluate(loose); ok {
		t.Errorf("compound on a lower-tier target: %+v, want no finding", f)
	}
}

func TestTyposquatRule(t *testing.T) {
	t.Parallel()
	r := TyposquatRule(tinyIndex())
	if info := r.Info(); info.ID != "DEP-003" || info.Scope != policy.ScopePackage || info.Title == "" || info.Description == "" || info.Remediation == "" {
		t.Errorf("Info() = %+v, want complete DEP-003 package rule", info)
	}
	pkg := func(eco policy.Ecosystem, name string, sig policy.Signals) policy.Input {
		return policy.Input{Package: &policy.Package{Ecosystem: eco, Name: name, Exists: true, Signals: sig}}
	}
	unknown := policy.Signals{WeeklyDownloads: -1}
	tests := []struct {
		name string
		in   policy.Input
		want *policy.Finding
	}{
		{"transposed", pkg(policy.PyPI, "reqeusts", unknown), &policy.Finding{Rule: "DEP-003", Verdict: policy.Block,
			Reason: "`reqeusts` looks like `requests` (transposed letters)", Suggestions: []string{"requests"}}},
		{"middle tier, unknown candidate", pkg(policy.NPM, "leftpadd", unknown), &policy.Finding{Rule: "DEP-003", Verdict: policy.Block,
			Reason: "`leftpadd` looks like `leftpad` (a repeated letter)", Suggestions: []string{"leftpad"}}},
		{"loose resemblance warns", pkg(policy.NPM, "left-pad", unknown), &policy.Finding{Rule: "DEP-003", Verdict: policy.Warn,
			Reason: "`left-pad` looks like `leftpad` (different separators)", Suggestions: []string{"leftpad"}}},
		{"few downloads", pkg(policy.NPM, "lodahs", policy.Signals{WeeklyDownloads: 10, DownloadsSource: "npm-downloads"}),
			&policy.Finding{Rule: "DEP-003", Verdict: policy.Block, Reason: "`lodahs` looks like `lodash` (transposed letters)",
				Suggestions: []string{"lodash"}}},
		{"popular candidate by downloads", pkg(policy.NPM, "lodahs", policy.Signals{WeeklyDownloads: 200_000}), nil},
		{"popular signal", pkg(policy.PyPI, "reqeusts", policy.Signals{Popular: true}), nil},
		{"target itself", pkg(policy.PyPI, "requests", unknown), nil},
		{"unrelated", pkg(policy.PyPI, "flask", unknown), nil},
		{"no package", policy.Input{}, nil},
	}
	for _, tc := range tests {
		f, ok := r.Evaluate(tc.in)
		if (tc.want != nil) != ok {
			t.Errorf("%s: Evaluate ok = %v, want %v (finding %+v)", tc.name, ok, tc.want != nil, f)
			continue
		}
		if tc.want != nil {
			if diff := cmp.Diff(*tc.want, f); diff != "" {
				t.Errorf("%s: finding mismatch (-want +got):\n%s", tc.name, diff)
			}
		}
	}
}

func TestUnpopularRule(t *testing.T) {
	t.Parallel()
	in := func(exists bool, sig policy.Signals) policy.Input {
		return policy.Input{Package: &policy.Package{Ecosystem: policy.NPM, Name: "tiny", Exists: exists, Signals: sig}}
	}
	tests := []struct {
		name    string
		unknown policy.Action
		in      policy.Input
		want    policy.Verdict
		fires   bool
		reason  string
	}{
		{"below threshold", policy.ActionOff, in(true, policy.Signals{WeeklyDownloads: 12, DownloadsSource: "npm-downloads"}),
			policy.Block, true, "`tiny` has only 12 downloads in the last week (minimum 100)"},
		{"zero counted", policy.ActionOff, in(true, policy.Signals{WeeklyDownloads: 0, DownloadsSource: "pypistats"}),
			policy.Block, true, "`tiny` has only 0 downloads in the last week (minimum 100)"},
		{"at threshold", policy.ActionBlock, in(true, policy.Signals{WeeklyDownloads: 100, DownloadsSource: "npm-downloads"}), 0, false, ""},
		{"unknown off", policy.ActionOff, in(true, policy.Signals{WeeklyDownloads: -1}), 0, false, ""},
		{"unknown warn", policy.ActionWarn, in(true, policy.Signals{WeeklyDownloads: -1}), policy.Warn, true,
			"download count for `tiny` is unknown, so its popularity cannot be checked"},
		{"unknown block", policy.ActionBlock, in(true, policy.Signals{}), policy.Block, true,
			"download count for `tiny` is unknown, so its popularity cannot be checked"},
		{"popular snapshot", policy.ActionBlock, in(true, policy.Signals{WeeklyDownloads: 1, Popular: true}), 0, false, ""},
		{"does not exist", policy.ActionBlock, in(false, policy.Signals{WeeklyDownloads: 1}), 0, false, ""},
	}
	for _, tc := range tests {
		r := UnpopularRule(100, tc.unknown)
		f, ok := r.Evaluate(tc.in)
		if ok != tc.fires || f.Verdict != tc.want || f.Reason != tc.reason {
			t.Errorf("%s: Evaluate = %+v, %v; want verdict %v, fires %v, reason %q", tc.name, f, ok, tc.want, tc.fires, tc.reason)
		}
		if ok && f.Rule != "DEP-004" {
			t.Errorf("%s: Rule = %q, want DEP-004", tc.name, f.Rule)
		}
	}
	if info := UnpopularRule(100, policy.ActionOff).Info(); info.ID != "DEP-004" || info.Remediation == "" {
		t.Errorf("Info() = %+v", info)
	}
}

func TestRulesInEngine(t *testing.T) {
	t.Parallel()
	// The engine caps DEP-003's block to warn when configured so.
	e := policy.NewEngine([]policy.Binding{{Rule: TyposquatRule(tinyIndex()), Action: policy.ActionWarn}}, nil)
	d, err := e.EvaluatePackage(t.Context(), &policy.Package{Ecosystem: policy.PyPI, Name: "reqeusts", Exists: true,
		Signals: policy.Signals{WeeklyDownloads: -1}}, time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if d.Verdict != policy.Warn || !cmp.Equal(d.Rules(), []string{"DEP-003"}) {
		t.Errorf("decision = %v %v, want warn by DEP-003", d.Verdict, d.Rules())
	}
}

// TestTyposquatRuleDressing: a dressing (a rare filler glued to a target)
// of a middle-tier target blocks offline when the candidate is unknown;
// a known candidate with over 1/1,000 of the target's downloads only
// warns offline, and blocks online once the package is known to be young
// and obscure.
func TestTyposquatRuleDressing(t *testing.T) {
	t.Parallel()
	ix := NewIndex(&Corpus{NPM: []Entry{
		{Name: "leftpad", Rank: 1, Monthly: 3_000_000},
		{Name: "plain-leftpad", Rank: 2, Monthly: 5_000, Role: RoleKnown},
	}})
	r := TyposquatRule(ix)
	now := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	in := func(name string, created time.Time, weekly int64) policy.Input {
		return policy.Input{Now: now, Package: &policy.Package{Ecosystem: policy.NPM, Name: name, Exists: true,
			Created: created, Signals: policy.Signals{WeeklyDownloads: weekly}}}
	}
	tests := []struct {
		name string
		in   policy.Input
		want policy.Verdict
	}{
		{"unknown candidate, offline", in("easy-leftpad", time.Time{}, -1), policy.Block},
		{"known candidate, offline", in("plain-leftpad", time.Time{}, -1), policy.Warn},
		{"known candidate, young and obscure", in("plain-leftpad", now.AddDate(0, 0, -5), 2), policy.Block},
		{"known candidate, old", in("plain-leftpad", now.AddDate(-2, 0, 0), 2), policy.Warn},
		{"common qualifier, unknown", in("simple-leftpad", time.Time{}, -1), policy.Warn},
	}
	for _, tc := range tests {
		f, ok := r.Evaluate(tc.in)
		if !ok || f.Verdict != tc.want {
			t.Errorf("%s: Evaluate = %+v, %v; want verdict %s", tc.name, f, ok, tc.want)
		}
	}
}

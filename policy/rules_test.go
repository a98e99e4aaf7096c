package policy

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var now = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// tableSuggester suggests from a fixed popular list by shared prefix, and
// knows a few names of the other ecosystem.
type tableSuggester struct {
	popular   map[Ecosystem][]string
	elsewhere map[Ecosystem][]string // names popular in that ecosystem
}

func (s tableSuggester) Suggest(eco Ecosystem, name string, max int) []string {
	var out []string
	for _, p := range s.popular[eco] {
		if len(out) < max && len(name) >= 3 && strings.HasPrefix(p, name[:3]) {
			out = append(out, p)
		}
	}
	return out
}

func (s tableSuggester) ExistsElsewhere(eco Ecosystem, name string) (Ecosystem, bool) {
	for other, names := range s.elsewhere {
		if other != eco && slices.Contains(names, name) {
			return other, true
		}
	}
	return "", false
}

func testSuggester() tableSuggester {
	return tableSuggester{
		popular: map[Ecosystem][]string{
			PyPI: {"requests", "requests-oauthlib", "reqeusts", "rich", "click"},
			NPM:  {"left-pad", "lodash"},
		},
		elsewhere: map[Ecosystem][]string{NPM: {"left-pad", "lodash"}, PyPI: {"requests"}},
	}
}

func TestNonexistentRule(t *testing.T) {
	watch := &WatchFact{FirstSeen: time.Date(2026, 10, 2, 8, 0, 0, 0, time.UTC), LastSeen: now, Count: 7}
	tests := []struct {
		name   string
		sg     Suggester
		pkg    Package
		want   Finding
		wantOK bool
	}{
		{"exists", testSuggester(), Package{Ecosystem: PyPI, Name: "requests", Exists: true}, Finding{}, false},
		{"missing, no suggester", nil, Package{Ecosystem: PyPI, Name: "reqeusts"},
			Finding{Rule: RuleNonexistent, Verdict: Block, Reason: "`reqeusts` does not exist on PyPI"}, true},
		{"missing, suggestions drop the name itself", testSuggester(), Package{Ecosystem: PyPI, Name: "reqeusts"},
			Finding{Rule: RuleNonexistent, Verdict: Block,
				Reason:      "`reqeusts` does not exist on PyPI — did you mean `requests` or `requests-oauthlib`?",
				Suggestions: []string{"requests", "requests-oauthlib"}}, true},
		{"missing, npm name on PyPI", testSuggester(), Package{Ecosystem: PyPI, Name: "left-pad"},
			Finding{Rule: RuleNonexistent, Verdict: Block,
				Reason: "`left-pad` does not exist on PyPI — `left-pad` is an npm package, not a PyPI one"}, true},
		{"missing, PyPI name on npm with suggestion", testSuggester(), Package{Ecosystem: NPM, Name: "requests"},
			Finding{Rule: RuleNonexistent, Verdict: Block,
				Reason: "`requests` does not exist on npm — `requests` is a PyPI package, not an npm one"}, true},
		{"missing, nothing near", testSuggester(), Package{Ecosystem: NPM, Name: "zzzzzz"},
			Finding{Rule: RuleNonexistent, Verdict: Block, Reason: "`zzzzzz` does not exist on npm"}, true},
		{"watchlisted and registered since", nil,
			Package{Ecosystem: NPM, Name: "huggingface-cli", Exists: true, Signals: Signals{Watchlisted: watch}},
			Finding{Rule: RuleNonexistent, Verdict: Block,
				Reason: "probable slopsquat: `huggingface-cli` did not exist when first requested on 2026-10-02 (7 requests) and has been registered since"}, true},
		{"watchlisted once, suggestions", testSuggester(),
			Package{Ecosystem: PyPI, Name: "clickx", Exists: true, Signals: Signals{Watchlisted: &WatchFact{FirstSeen: watch.FirstSeen, Count: 1}}},
			Finding{Rule: RuleNonexistent, Verdict: Block,
				Reason:      "probable slopsquat: `clickx` did not exist when first requested on 2026-10-02 (1 request) and has been registered since — did you mean `click`?",
				Suggestions: []string{"click"}}, true},
		{"watchlisted without dates or count (the anonymous check API)", nil,
			Package{Ecosystem: PyPI, Name: "x-y", Exists: true, Signals: Signals{Watchlisted: &WatchFact{}}},
			Finding{Rule: RuleNonexistent, Verdict: Block,
				Reason: "probable slopsquat: `x-y` did not exist when first requested and has been registered since"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := NewNonexistentRule(tt.sg).Evaluate(Input{Package: &tt.pkg, Now: now})
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v (finding %+v)", ok, tt.wantOK, got)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("finding mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// greedySuggester returns more names than asked and the name itself.
type greedySuggester struct{}

func (greedySuggester) Suggest(_ Ecosystem, name string, _ int) []string {
	return []string{name, "", "a1", "a2", "a3", "a4"}
}
func (greedySuggester) ExistsElsewhere(Ecosystem, string) (Ecosystem, bool) { return "", false }

func TestNonexistentRuleBoundsSuggestions(t *testing.T) {
	f, ok := NewNonexistentRule(greedySuggester{}).Evaluate(Input{Package: &Package{Ecosystem: NPM, Name: "zz"}})
	if !ok {
		t.Fatal("no finding")
	}
	if diff := cmp.Diff([]string{"a1", "a2", "a3"}, f.Suggestions); diff != "" {
		t.Errorf("suggestions (-want +got):\n%s", diff)
	}
	if !strings.HasSuffix(f.Reason, "did you mean `a1`, `a2` or `a3`?") {
		t.Errorf("reason %q", f.Reason)
	}
}

func TestMaliciousRule(t *testing.T) {
	tests := []struct {
		name   string
		pkg    Package
		want   string
		wantOK bool
	}{
		{"active", Package{Ecosystem: PyPI, Name: "x", Exists: true}, "", false},
		{"deprecated", Package{Ecosystem: NPM, Name: "x", Exists: true, Status: StatusDeprecated}, "", false},
		{"archived", Package{Ecosystem: PyPI, Name: "x", Exists: true, Status: StatusArchived}, "", false},
		{"quarantined with reason", Package{Ecosystem: PyPI, Name: "evil", Exists: true, Status: StatusQuarantined, StatusReason: "reported\nas  malware\x00"},
			"PyPI quarantined `evil`: reported as malware", true},
		{"quarantined without reason", Package{Ecosystem: PyPI, Name: "evil", Exists: true, Status: StatusQuarantined, StatusReason: " \n"},
			"PyPI quarantined `evil`", true},
		{"quarantined, long reason cut", Package{Ecosystem: PyPI, Name: "evil", Exists: true, Status: StatusQuarantined, StatusReason: strings.Repeat("é", 300)},
			"PyPI quarantined `evil`: " + strings.Repeat("é", 200) + "…", true},
		{"security holding", Package{Ecosystem: NPM, Name: "evil", Exists: true, Status: StatusSecurityHolding},
			"npm replaced `evil` with a security holding package: it was removed as malware", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := MaliciousRule{}.Evaluate(Input{Package: &tt.pkg})
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tt.wantOK)
			}
			if !ok {
				return
			}
			want := Finding{Rule: RuleMalicious, Verdict: Block, Reason: tt.want}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("finding (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNonexistentVersionRule(t *testing.T) {
	pkg := &Package{Ecosystem: PyPI, Name: "requests", Exists: true, Releases: []Release{
		{Version: "2.30.0", Published: now.Add(-90 * day)},
		{Version: "2.31.0", Published: now.Add(-60 * day)},
		{Version: "2.32.0", Published: now.Add(-1 * day), Yanked: true},
	}}
	tests := []struct {
		name      string
		pkg       *Package
		requested string
		want      string
		wantOK    bool
	}{
		{"no requested version", pkg, "", "", false},
		{"exists", pkg, "2.31.0", "", false},
		{"yanked still exists", pkg, "2.32.0", "", false},
		{"missing", pkg, "9.9.9", "version 9.9.9 of `requests` does not exist; newest published is 2.31.0", true},
		{"missing, no releases", &Package{Ecosystem: NPM, Name: "x", Exists: true}, "1.0.0", "version 1.0.0 of `x` does not exist", true},
		{"package missing: DEP-001's job", &Package{Ecosystem: NPM, Name: "x"}, "1.0.0", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := NonexistentVersionRule{}.Evaluate(Input{Package: tt.pkg, RequestedVersion: tt.requested})
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tt.wantOK)
			}
			if ok {
				if diff := cmp.Diff(Finding{Rule: RuleNonexistentVersion, Verdict: Block, Reason: tt.want}, got); diff != "" {
					t.Errorf("finding (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestVersionFindings(t *testing.T) {
	pkg := &Package{Ecosystem: NPM, Name: "left-pad", Exists: true}
	tests := []struct {
		name string
		got  Finding
		want string
	}{
		{"never existed", NonexistentVersion(pkg, "9.9.9", "1.3.0"), "version 9.9.9 of `left-pad` does not exist; newest allowed is 1.3.0"},
		{"never existed, nothing allowed", NonexistentVersion(pkg, "9.9.9", ""), "version 9.9.9 of `left-pad` does not exist; no version is currently allowed by policy"},
		{"hidden", HiddenVersion(pkg, "2.0.0", "version 2.0.0 was published 2 days ago (policy: 7 days)", "1.3.0"),
			"version 2.0.0 of `left-pad` exists but is hidden by policy: version 2.0.0 was published 2 days ago (policy: 7 days); newest allowed is 1.3.0"},
		{"hidden, no why", HiddenVersion(pkg, "2.0.0", "", ""),
			"version 2.0.0 of `left-pad` exists but is hidden by policy; no version is currently allowed by policy"},
	}
	for _, tt := range tests {
		want := Finding{Rule: RuleNonexistentVersion, Verdict: Block, Reason: tt.want}
		if diff := cmp.Diff(want, tt.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestCoreRules(t *testing.T) {
	s := DefaultSettings(Relaxed)
	s.Actions = map[string]Action{RuleMalicious: ActionWarn}
	bs, err := CoreRules(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Action{}
	for _, b := range bs {
		got[b.Rule.Info().ID] = b.Action
	}
	want := map[string]Action{
		RuleNonexistent: ActionBlock, RuleTooNew: ActionBlock, RuleNoRepository: ActionOff,
		RuleNonexistentVersion: ActionBlock, RuleMalicious: ActionWarn,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("bindings (-want +got):\n%s", diff)
	}
	bad := DefaultSettings(DefaultStrategy)
	bad.MinPackageAge = -day
	if _, err := CoreRules(bad, nil); err == nil || !strings.Contains(err.Error(), "min package age") {
		t.Errorf("CoreRules(invalid) error = %v, want the validation problem", err)
	}
}

func TestCatalogue(t *testing.T) {
	cat := Catalogue()
	var ids []string
	for _, ri := range cat {
		ids = append(ids, ri.ID)
		if ri.Title == "" || len(ri.Description) < 80 || len(ri.Remediation) < 40 {
			t.Errorf("%s: incomplete documentation %+v", ri.ID, ri)
		}
	}
	if diff := cmp.Diff(RuleIDs(), ids); diff != "" {
		t.Errorf("catalogue IDs (-want +got):\n%s", diff)
	}
	// The core rules document themselves with the catalogue's entries.
	bs, err := CoreRules(DefaultSettings(DefaultStrategy), nil)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]RuleInfo{}
	for _, ri := range cat {
		byID[ri.ID] = ri
	}
	for _, b := range bs {
		ri := b.Rule.Info()
		if diff := cmp.Diff(byID[ri.ID], ri); diff != "" {
			t.Errorf("%s Info differs from catalogue (-cat +rule):\n%s", ri.ID, diff)
		}
		if ri.Scope == 0 {
			t.Errorf("%s has no scope", ri.ID)
		}
	}
}

func TestHumanDuration(t *testing.T) {
	tests := map[time.Duration]string{
		-time.Hour:                    "0 minutes",
		0:                             "0 minutes",
		time.Minute:                   "1 minute",
		59 * time.Minute:              "59 minutes",
		time.Hour:                     "1 hour",
		47*time.Hour + 59*time.Minute: "47 hours",
		48 * time.Hour:                "2 days",
		5*day + 23*time.Hour:          "5 days",
		30 * day:                      "30 days",
	}
	for d, want := range tests {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestIsNPMSecurityHolding(t *testing.T) {
	for v, want := range map[string]bool{
		"0.0.1-security": true, "0.0.2-security": true, "0.0.1-security.0": true, "0.0.10-security.12": true,
		"0.0.1": false, "0.1.0-security": false, "0.0.1-security.": false, "0.0.1-securityx": false, "0.0.x-security": false,
		"1.0.0-security": false, "0.0.-security": false, "": false,
	} {
		if got := IsNPMSecurityHolding(v); got != want {
			t.Errorf("IsNPMSecurityHolding(%q) = %v, want %v", v, got, want)
		}
	}
}

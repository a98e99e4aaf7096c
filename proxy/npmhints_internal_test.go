package proxy

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/npm"
	"github.com/vigil-proxy/vigil-proxy/policy"
)

func blockFor(v, rule, reason string) policy.Decision {
	return policy.Decision{Ref: policy.Ref{Version: v}, Verdict: policy.Block,
		Findings: []policy.Finding{{Rule: rule, Verdict: policy.Block, Reason: reason}}}
}

// One tag per reason, newest hidden versions first, at most four versions
// named per tag, at most maxHiddenTags tags (the last one counting the
// rest); warnings hide nothing and get no tag.
func TestHiddenDistTags(t *testing.T) {
	hidden := map[string]policy.Decision{
		"1.10.0": blockFor("1.10.0", "DEP-002", "too new"),
		"1.9.0":  blockFor("1.9.0", "DEP-002", "too new"),
		"1.2.0":  blockFor("1.2.0", "DEP-002", "too new"),
		"1.3.0":  blockFor("1.3.0", "DEP-002", "too new"),
		"1.4.0":  blockFor("1.4.0", "DEP-002", "too new"),
		"0.9.0":  blockFor("0.9.0", "MAL-001", "known malware `x`"),
		"1.0.1":  {Ref: policy.Ref{Version: "1.0.1"}, Verdict: policy.Warn, Findings: []policy.Finding{{Rule: "DEP-004", Verdict: policy.Warn, Reason: "unpopular"}}},
	}
	got := hiddenDistTags(hidden, "1.0.0")
	want := []npm.DistTag{
		{Name: "vigil-proxy hid 1.10.0, 1.9.0, 1.4.0, 1.3.0, and 1 more: too new [rule DEP-002]; latest allowed", Version: "1.0.0"},
		{Name: "vigil-proxy hid 0.9.0: known malware 'x' [rule MAL-001]; latest allowed", Version: "1.0.0"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("hiddenDistTags (-want +got):\n%s", diff)
	}

	many := map[string]policy.Decision{}
	for i := range 5 {
		v := fmt.Sprintf("2.%d.0", i)
		many[v] = blockFor(v, "DENYLIST", "reason "+v)
	}
	got = hiddenDistTags(many, "1.0.0")
	want = []npm.DistTag{
		{Name: "vigil-proxy hid 2.4.0: reason 2.4.0 [rule DENYLIST]; latest allowed", Version: "1.0.0"},
		{Name: "vigil-proxy hid 2.3.0: reason 2.3.0 [rule DENYLIST]; latest allowed", Version: "1.0.0"},
		{Name: "vigil-proxy hid 3 more versions for other reasons (vigil-proxy check explains each); latest allowed", Version: "1.0.0"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("hiddenDistTags with many reasons (-want +got):\n%s", diff)
	}
	if got := hiddenDistTags(hidden, ""); got != nil {
		t.Errorf("hiddenDistTags without a target = %v, want none", got)
	}
}

func TestSemverDescending(t *testing.T) {
	m := map[string]policy.Decision{"1.10.0": {}, "1.9.0": {}, "2.0.0-rc.1": {}, "2.0.0": {}, "banana": {}, "apple": {}}
	want := []string{"2.0.0", "2.0.0-rc.1", "1.10.0", "1.9.0", "banana", "apple"}
	if diff := cmp.Diff(want, semverDescending(m)); diff != "" {
		t.Errorf("semverDescending (-want +got):\n%s", diff)
	}
}

func TestNeverServed(t *testing.T) {
	tooNew := blockFor("2.0.0", policy.RuleTooNew, "too new")
	alsoMalware := tooNew
	alsoMalware.Findings = append(alsoMalware.Findings[:1:1], policy.Finding{Rule: policy.RuleMalicious, Verdict: policy.Block, Reason: "known malware"})
	denied := tooNew
	denied.List = &policy.ListEntry{Kind: policy.Deny}
	for _, tc := range []struct {
		name string
		d    policy.Decision
		want bool
	}{
		{"too new only", tooNew, true},
		{"too new and malware", alsoMalware, false},
		{"too new and denylisted", denied, false},
		{"malware", blockFor("2.0.0", policy.RuleMalicious, "known malware"), false},
		{"warning", policy.Decision{Verdict: policy.Warn, Findings: []policy.Finding{{Rule: policy.RuleTooNew, Verdict: policy.Warn}}}, false},
		{"no rule", policy.Decision{Verdict: policy.Block}, false},
	} {
		if got := neverServed(tc.d); got != tc.want {
			t.Errorf("%s: neverServed = %v, want %v", tc.name, got, tc.want)
		}
	}
}

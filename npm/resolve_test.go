package npm

import (
	"slices"
	"testing"
)

func TestResolveRange(t *testing.T) {
	versions := []string{"1.0.0", "4.0.0", "4.1.2", "4.2.0", "5.0.0", "5.1.0-beta.1", "6.0.0-rc.1"}
	tags := map[string]string{"latest": "4.1.2", "next": "6.0.0-rc.1"}
	tests := []struct {
		spec, want string
		ok         bool
	}{
		{"4", "4.1.2", true},         // latest satisfies the range: npm takes it
		{"^4.2", "4.2.0", true},      // latest does not: the highest match
		{"latest", "4.1.2", true},    // a dist-tag
		{"next", "6.0.0-rc.1", true}, // a tag naming a prerelease
		{"^5", "5.0.0", true},        // a prerelease is not taken by a plain range
		{"^5.1.0-beta.0", "5.1.0-beta.1", true},
		{">=5.0.0 <7", "5.0.0", true}, // 6.0.0-rc.1: no prerelease comparator on 6.0.0
		{"1.x || >=5", "5.0.0", true},
		{"*", "4.1.2", true},
		{"", "4.1.2", true},
		{"^9", "", false},
		{"no-such-tag", "", false},
	}
	for _, tc := range tests {
		got, ok := ResolveRange(tc.spec, versions, tags)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ResolveRange(%q) = %q, %v; want %q, %v", tc.spec, got, ok, tc.want, tc.ok)
		}
	}
	// A tag whose version policy hides resolves to nothing.
	if got, ok := ResolveRange("latest", []string{"1.0.0"}, tags); ok {
		t.Errorf("hidden latest resolved to %q", got)
	}
	for spec, want := range map[string]bool{"1.2.3": false, "=1.2.3": false, "v1.2.3": false, "^1": true, "latest": true, "1.x": true, "": false} {
		if got := IsRange(spec); got != want {
			t.Errorf("IsRange(%q) = %v, want %v", spec, got, want)
		}
	}
}

func TestMaxSatisfyingIgnoresLatest(t *testing.T) {
	versions := []string{"1.0.0", "4.1.2", "4.2.0", "5.0.0-rc.1"}
	for _, tc := range []struct {
		rng, want string
		ok        bool
	}{
		{"4", "4.2.0", true}, // the registry's answer: the highest match, whatever latest says
		{"*", "4.2.0", true},
		{"^5.0.0-rc.0", "5.0.0-rc.1", true},
		{"^6", "", false},
	} {
		got, ok := MaxSatisfying(tc.rng, versions)
		if got != tc.want || ok != tc.ok {
			t.Errorf("MaxSatisfying(%q) = %q, %v; want %q, %v", tc.rng, got, ok, tc.want, tc.ok)
		}
	}
	for _, rng := range []string{"^1", "1.x || >=3 <4", ">=1.0.0 <2", "1.2.3 - 2.3.4", "~1.2", "*", "||"} {
		if !ValidRange(rng) {
			t.Errorf("ValidRange(%q) = false, want true", rng)
		}
	}
	for _, rng := range []string{"", "nope", "latest", "^^1", ">=x <y", "A||"} {
		if ValidRange(rng) {
			t.Errorf("ValidRange(%q) = true, want false", rng)
		}
	}
}

// FuzzMaxSatisfying: any range from a request path parses without a panic,
// and for a range ValidRange accepts, a chosen version is one of the
// candidates and satisfies it.
func FuzzMaxSatisfying(f *testing.F) {
	for _, seed := range []string{"^1", "1.x || 2", ">=1.0.0-0 <2", "*", "||", "~1.2.3-beta", "v1", "=1.0.0", "1.2.3 - 2"} {
		f.Add(seed)
	}
	versions := []string{"0.9.0", "1.0.0", "1.2.3-beta.1", "1.2.3", "2.0.0", "10.0.0-rc.1"}
	f.Fuzz(func(t *testing.T, rng string) {
		v, ok := MaxSatisfying(rng, versions)
		if !ok || !ValidRange(rng) { // the version route asks ValidRange first
			return
		}
		if !slices.Contains(versions, v) || !SatisfiesRange(rng, v) {
			t.Fatalf("MaxSatisfying(%q) = %s: not a satisfying candidate", rng, v)
		}
	})
}

package testquality

import (
	"strings"
	"testing"
)

// The pre-test of a guarded regexp must never change its answer.
var guardedCases = []struct {
	name string
	g    *guardedRE
}{{"doesNotRaise", doesNotRaise}, {"aboutTruth", aboutTruth}, {"noErrorIntent", noErrorIntent}, {"expectedError", expectedError}}

var guardedSeeds = []string{
	"", "test_add", "test_no_raise", "test_doesnt_CRASH", "test_smoke", "test_fuzz_input", "TestNeverThrows",
	"test_more_bool", "test_nonzero", "# should not raise", "# used to crash", "# No errors are thrown",
	"# won't fail", "# does n't blow up", "# without raising", "# Check that this is a no-op", "# smoke test",
	"# will not cause trouble", "# not cause an exception", "# failure is expected", "# we don't care",
	"# not supported here", "# may not exist", "# ignored", "# optional", "test_raiſe", "test_\u212aeep",
	"# CRAſH", "# Ünicode error", "# exceptıon", "test_seg\xfffault", "# should never hang",
}

func TestGuardedRegexpsAgreeWithTheirRegexp(t *testing.T) {
	for _, c := range guardedCases {
		for _, s := range guardedSeeds {
			if got, want := c.g.MatchString(s), c.g.re.MatchString(s); got != want {
				t.Errorf("%s(%q) = %v, the regexp alone says %v", c.name, s, got, want)
			}
		}
	}
	// The pre-test must still let matches through.
	for _, c := range []struct {
		g *guardedRE
		s string
	}{{doesNotRaise, "test_no_raise"}, {doesNotRaise, "test_not_raiſe"}, {aboutTruth, "test_Bool"}, {noErrorIntent, "# used to crash"},
		{noErrorIntent, "# should not raiſe"}, {expectedError, "# failure is expected"}} {
		if !c.g.MatchString(c.s) {
			t.Errorf("%q does not match %s", c.s, c.g.re)
		}
	}
}

func FuzzGuardedRegexps(f *testing.F) {
	for _, s := range guardedSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range guardedCases {
			if got, want := c.g.MatchString(s), c.g.re.MatchString(s); got != want {
				t.Fatalf("%s(%q) = %v, the regexp alone says %v", c.name, s, got, want)
			}
		}
		if got, want := mentionsAssert(s), strings.Contains(strings.ToLower(s), "assert"); got != want {
			t.Fatalf("mentionsAssert(%q) = %v, want %v", s, got, want)
		}
	})
}

func TestMentionsAssertIsContainsOfLowerCase(t *testing.T) {
	for _, name := range []string{"", "assert", "assertEqual", "self.ASSERT_x", "_AsSeRt", "asser", "check", "aſsert", "\u212aassert", "İassert", "ass\u212aert", "a\xffssert"} {
		want := strings.Contains(strings.ToLower(name), "assert")
		if got := mentionsAssert(name); got != want {
			t.Errorf("mentionsAssert(%q) = %v, want %v", name, got, want)
		}
	}
}

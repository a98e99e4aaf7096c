package names

import (
	"testing"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// A "did you mean" that names a package the proxy itself blocks as a
// typosquat sends the user from one refusal to the attack: `LoDash` used
// to suggest `loadsh` (blocked as a transposition of `lodash`).
func TestSuggestNeverNamesABlockedTyposquat(t *testing.T) {
	t.Parallel()
	_, ix := loadIndex(t)
	for _, tc := range []struct {
		eco  policy.Ecosystem
		name string
	}{
		{policy.NPM, "LoDash"}, {policy.NPM, "loadsh"}, {policy.NPM, "lodahs"}, {policy.NPM, "expres"},
		{policy.NPM, "reactt"}, {policy.PyPI, "reqeusts"}, {policy.PyPI, "numpyy"}, {policy.PyPI, "djang"},
	} {
		got := ix.Suggest(tc.eco, tc.name, 3)
		if len(got) == 0 {
			t.Errorf("Suggest(%s, %q) is empty", tc.eco, tc.name)
		}
		for _, s := range got {
			if m, ok := ix.Typosquat(tc.eco, s); ok && m.Confidence == High {
				t.Errorf("Suggest(%s, %q) = %v names %q, blocked as a typosquat of %q", tc.eco, tc.name, got, s, m.Target)
			}
		}
	}
}

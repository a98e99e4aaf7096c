package scanner

import (
	"testing"

	"github.com/bmatcuk/doublestar/v4"
)

// FuzzParseConfig: a repository's .vigil.yaml is untrusted input. Parsing
// never panics, and a configuration that parses holds only usable values.
func FuzzParseConfig(f *testing.F) {
	for _, seed := range []string{
		"fail_on: high\nstrategy: strict\nexclude: [\"legacy/**\"]\n",
		"rules: {AUTH-003: {max_lifetime: 7d}, TEST-002: {min_assertions: 2}, DEP-008: {allowed_hosts: [vigil:8080]}}\n",
		"exclude: [\"[\"]\n",
		"a: &a [x, x]\nb: [*a, *a]\n",
		"rules: {SEC-001: {enabled: false, reason: r, severity: low}}\nknown_public_secrets: [k]\nplaceholder_patterns: ['x\\w+']\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseConfig(b, ".vigil.yaml")
		if err != nil {
			return
		}
		if _, err := ParseFailOn(c.FailOn); c.FailOn != "" && err != nil {
			t.Errorf("accepted fail_on %q: %v", c.FailOn, err)
		}
		for _, g := range c.Exclude {
			if g != "" && !doublestar.ValidatePattern(g) && !doublestar.ValidatePattern(g[:len(g)-1]) {
				t.Errorf("accepted exclude %q", g)
			}
		}
		for id, rc := range c.Rules {
			if errs := validateOptions(id, rc); len(errs) > 0 {
				t.Errorf("accepted options of %s: %v", id, errs)
			}
		}
	})
}

package npm

import (
	"fmt"
	"path"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// RulePrivate is the rule of a refusal for a name kept from upstream.
const RulePrivate = "PRIVATE"

// MatchPrivate reports the first of patterns (npm.private: "@myorg/*",
// exact names; matched case-insensitively) that name matches.
func MatchPrivate(patterns []string, name string) (pattern string, ok bool) {
	canon := Canonical(name)
	for _, p := range patterns {
		p = strings.ToLower(p)
		if ok, _ := path.Match(p, canon); ok || p == canon {
			return p, true
		}
	}
	return "", false
}

// PrivateDecision is the verdict on a name npm.private keeps from upstream:
// blocked, never resolved there (online and offline alike).
func PrivateDecision(name, version, pattern string) policy.Decision {
	return policy.Decision{Ref: policy.Ref{Ecosystem: policy.NPM, Name: Canonical(name), Version: version}, Verdict: policy.Block,
		Findings: []policy.Finding{{Rule: RulePrivate, Verdict: policy.Block,
			Reason: fmt.Sprintf("%s is a private name (npm.private pattern %q) and is never resolved upstream", name, pattern)}}}
}

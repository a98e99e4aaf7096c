package policy

import "fmt"

// MaliciousRule is MAL-001: upstream itself marked the package as malicious
// (PyPI quarantine under PEP 792, npm's security holding package).
type MaliciousRule struct{}

func maliciousInfo() RuleInfo {
	return RuleInfo{
		ID:    RuleMalicious,
		Title: "Known malicious package",
		Description: "The registry has flagged the package: PyPI quarantines projects reported as " +
			"malware, and npm replaces removed malware with a 0.0.1-security holding package. " +
			"Installing it would at best give you an empty placeholder and at worst the malware from a cache.",
		Remediation: "Remove the dependency and check whether an earlier install ran; rotate credentials " +
			"that were reachable from the machine. Do not allowlist it.",
		Scope: ScopePackage,
	}
}

// Info documents MAL-001.
func (MaliciousRule) Info() RuleInfo { return maliciousInfo() }

// Evaluate blocks quarantined and security-holding packages.
func (MaliciousRule) Evaluate(in Input) (Finding, bool) {
	p := in.Package
	if p == nil {
		return Finding{}, false
	}
	var reason string
	switch p.Status {
	case StatusQuarantined:
		reason = fmt.Sprintf("%s quarantined `%s`", registryName(p.Ecosystem), p.Name)
		if upstreamText(p.StatusReason) != "" {
			reason += ": " + upstreamText(p.StatusReason)
		}
	case StatusSecurityHolding:
		reason = fmt.Sprintf("%s replaced `%s` with a security holding package: it was removed as malware",
			registryName(p.Ecosystem), p.Name)
	default:
		return Finding{}, false
	}
	return Finding{Rule: RuleMalicious, Verdict: Block, Reason: reason}, true
}

package policy

import "fmt"

// NonexistentVersionRule is DEP-007: a client asked for a version that does
// not exist. The proxy explains the refusal with NonexistentVersion or
// HiddenVersion; the rule lets the engine report the same finding.
type NonexistentVersionRule struct{}

func nonexistentVersionInfo() RuleInfo {
	return RuleInfo{
		ID:    RuleNonexistentVersion,
		Title: "Version does not exist",
		Description: "AI assistants also invent version numbers, and lockfiles can name versions that " +
			"were unpublished or are hidden by policy. Clients normally show only \"no matching " +
			"distribution\"; the refusal says whether the version never existed or is hidden by " +
			"policy, and which version is the newest one allowed.",
		Remediation: "Pin the newest allowed version named in the message. If the version is hidden " +
			"by policy (for example too new), wait or add an allowlist entry for that version.",
		Scope: ScopeRelease,
	}
}

// Info documents DEP-007.
func (NonexistentVersionRule) Info() RuleInfo { return nonexistentVersionInfo() }

// Evaluate fires when the requested version is not a release of the
// existing package. The newest non-yanked release is named as a hint.
func (NonexistentVersionRule) Evaluate(in Input) (Finding, bool) {
	p := in.Package
	if p == nil || !p.Exists || in.RequestedVersion == "" || p.Release(in.RequestedVersion) != nil {
		return Finding{}, false
	}
	f := Finding{Rule: RuleNonexistentVersion, Verdict: Block,
		Reason: fmt.Sprintf("version %s of `%s` does not exist", in.RequestedVersion, p.Name)}
	if nr := newestListed(p); nr != "" {
		f.Reason += "; newest published is " + nr
	}
	return f, true
}

// newestListed is the newest non-yanked release's version, or "".
func newestListed(p *Package) string {
	var best *Release
	for i := range p.Releases {
		r := &p.Releases[i]
		if r.Yanked {
			continue
		}
		if best == nil || !r.Published.Before(best.Published) {
			best = r
		}
	}
	if best == nil {
		return ""
	}
	return best.Version
}

// NonexistentVersion is the DEP-007 finding for a requested version that
// never existed. newestAllowed is the newest version policy lets through, or
// "" when none is.
func NonexistentVersion(pkg *Package, requested string, newestAllowed string) Finding {
	return Finding{Rule: RuleNonexistentVersion, Verdict: Block,
		Reason: fmt.Sprintf("version %s of `%s` does not exist; %s", requested, pkg.Name, newestAllowedText(newestAllowed))}
}

// NoMatchingVersion is the DEP-007 finding for a range or dist-tag that no
// version of the package satisfies.
func NoMatchingVersion(pkg *Package, rng string, newestAllowed string) Finding {
	return Finding{Rule: RuleNonexistentVersion, Verdict: Block,
		Reason: fmt.Sprintf("no version of `%s` matches %s; %s", pkg.Name, rng, newestAllowedText(newestAllowed))}
}

// HiddenVersion is the DEP-007 finding for a requested version that exists
// but is hidden by policy; why is the hiding decision's reason.
func HiddenVersion(pkg *Package, requested string, why string, newestAllowed string) Finding {
	reason := fmt.Sprintf("version %s of `%s` exists but is hidden by policy", requested, pkg.Name)
	if why != "" {
		reason += ": " + why
	}
	return Finding{Rule: RuleNonexistentVersion, Verdict: Block,
		Reason: reason + "; " + newestAllowedText(newestAllowed)}
}

func newestAllowedText(v string) string {
	if v == "" {
		return "no version is currently allowed by policy"
	}
	return "newest allowed is " + v
}

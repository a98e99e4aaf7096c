package policy

import (
	"fmt"
	"slices"
	"strings"
)

// Advisory is a known-malware report about a package, from a feed such as
// the OpenSSF Malicious Packages dataset (OSV records with MAL- IDs).
type Advisory struct {
	// ID is the advisory ID ("MAL-2024-1234").
	ID string `json:"id"`
	// Summary is the advisory's one-line summary.
	Summary string `json:"summary,omitempty"`
	// URL links to the advisory.
	URL string `json:"url,omitempty"`
	// AllVersions is true when every version of the package is affected.
	AllVersions bool `json:"all_versions,omitempty"`
}

// MalwareFeed answers whether a package or version is known malware.
// Implementations must be fast (called for every release of every document)
// and safe for concurrent use.
type MalwareFeed interface {
	// Malicious returns the advisories that affect version of the package,
	// or, when version is empty, those that affect every version. name is
	// the canonical name (PEP 503 for PyPI).
	Malicious(eco Ecosystem, name, version string) []Advisory
}

// MaliciousRule is MAL-001: the package (or version) is known malware. The
// registry itself says so (PyPI quarantine under PEP 792, npm's security
// holding package), or a malware feed has an advisory for it.
type MaliciousRule struct {
	// Feed, when not nil, supplies known-malware advisories.
	Feed MalwareFeed
}

func maliciousInfo() RuleInfo {
	return RuleInfo{
		ID:    RuleMalicious,
		Title: "Known malicious package",
		Description: "The package or version is known malware: PyPI quarantines projects reported as " +
			"malware, npm replaces removed malware with a 0.0.1-security holding package, and the " +
			"malware feed (the OpenSSF Malicious Packages dataset, OSV MAL- advisories) names packages " +
			"and versions reported as malicious. Versions named by an advisory are hidden; a package " +
			"whose every version is affected is refused. Only an allow entry naming the advisory ID " +
			"overrides a feed advisory.",
		Remediation: "Remove the dependency and check whether an earlier install ran; rotate credentials " +
			"that were reachable from the machine. Do not allowlist it.",
		Scope: ScopePackage | ScopeRelease,
	}
}

// Info documents MAL-001.
func (MaliciousRule) Info() RuleInfo { return maliciousInfo() }

// Evaluate blocks quarantined and security-holding packages and what the
// feed names: the whole package for an all-versions advisory, one release
// for a per-version one.
func (r MaliciousRule) Evaluate(in Input) (Finding, bool) {
	p := in.Package
	if p == nil {
		return Finding{}, false
	}
	if in.Release != nil {
		return r.feedFinding(p, in.Release.Version)
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
		return r.feedFinding(p, "")
	}
	return Finding{Rule: RuleMalicious, Verdict: Block, Reason: reason}, true
}

// feedFinding reports the feed's advisories for the package (version "")
// or one version of it.
func (r MaliciousRule) feedFinding(p *Package, version string) (Finding, bool) {
	if r.Feed == nil {
		return Finding{}, false
	}
	advs := r.Feed.Malicious(p.Ecosystem, p.Name, version)
	if version != "" {
		// Advisories about every version are the package-level finding;
		// a release finding names only what hides this version.
		advs = slices.DeleteFunc(advs, func(a Advisory) bool { return a.AllVersions })
	}
	if len(advs) == 0 {
		return Finding{}, false
	}
	return MalwareFinding(p.Name, version, advs), true
}

// MalwareFinding is the MAL-001 finding for feed advisories about name (and
// version, when not empty). advs must not be empty.
func MalwareFinding(name, version string, advs []Advisory) Finding {
	a := advs[0]
	subject := "`" + name + "`"
	if version != "" && !a.AllVersions {
		subject = "version " + version + " of `" + name + "`"
	}
	reason := fmt.Sprintf("%s is known malware (%s", subject, a.ID)
	if s := upstreamText(a.Summary); s != "" {
		reason += ": " + s
	}
	reason += ")"
	if a.URL != "" {
		reason += " " + a.URL
	}
	if len(advs) > 1 {
		ids := make([]string, 0, len(advs)-1)
		for _, o := range advs[1:] {
			ids = append(ids, o.ID)
		}
		reason += "; also " + strings.Join(ids, ", ")
	}
	ids := make([]string, len(advs))
	for i, o := range advs {
		ids[i] = o.ID
	}
	return Finding{Rule: RuleMalicious, Verdict: Block, Reason: reason, Advisories: ids}
}

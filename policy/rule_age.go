package policy

import (
	"fmt"
	"time"
)

// TooNewRule is DEP-002: a package first published too recently, or a
// release (or file) uploaded too recently. Most malicious uploads are found
// and removed within days, so waiting is cheap protection.
type TooNewRule struct {
	minPackageAge    time.Duration
	minReleaseAge    time.Duration
	missingTimeIsNew bool
}

// NewTooNewRule returns DEP-002 configured from the settings' ages and
// MissingTimeIsNew.
func NewTooNewRule(s Settings) TooNewRule {
	return TooNewRule{
		minPackageAge:    s.MinPackageAge,
		minReleaseAge:    s.MinReleaseAge,
		missingTimeIsNew: s.MissingTimeIsNew,
	}
}

func tooNewInfo() RuleInfo {
	return RuleInfo{
		ID:    RuleTooNew,
		Title: "Package or release is too new",
		Description: "Malicious packages and hijacked releases are usually detected and removed within " +
			"days of publication, and slopsquatted names are registered shortly before they are used. " +
			"Packages younger than the minimum package age are blocked, and releases or files younger " +
			"than the minimum release age are hidden and refused. Age is the upstream publish time; a " +
			"missing time counts as new unless configured otherwise.",
		Remediation: "Pin an older version that is past the release age, or wait. For a new package " +
			"or an urgent release you have reviewed, add an allowlist entry (optionally limited to " +
			"the versions you reviewed, with an expiry).",
		Scope: ScopePackage | ScopeRelease,
	}
}

// Info documents DEP-002.
func (TooNewRule) Info() RuleInfo { return tooNewInfo() }

// Evaluate judges the package's first publication (Input.Release nil) or the
// release, or the file when Input.File is set.
func (r TooNewRule) Evaluate(in Input) (Finding, bool) {
	p := in.Package
	if p == nil || !p.Exists {
		return Finding{}, false
	}
	if in.Release == nil {
		return r.judge(in.Now, p.Created, r.minPackageAge, fmt.Sprintf("`%s` was first published", p.Name),
			fmt.Sprintf("`%s` has no known first publish time", p.Name))
	}
	rel := in.Release
	if in.File != nil {
		at := in.File.Uploaded
		if at.IsZero() {
			at = rel.Published
		}
		return r.judge(in.Now, at, r.minReleaseAge,
			fmt.Sprintf("file %s of version %s was uploaded", in.File.Name, rel.Version),
			fmt.Sprintf("file %s of version %s has no known upload time", in.File.Name, rel.Version))
	}
	return r.judge(in.Now, rel.Published, r.minReleaseAge,
		fmt.Sprintf("version %s was published", rel.Version),
		fmt.Sprintf("version %s has no known publish time", rel.Version))
}

func (r TooNewRule) judge(now, at time.Time, minAge time.Duration, subject, unknown string) (Finding, bool) {
	if minAge <= 0 {
		return Finding{}, false
	}
	policy := humanDuration(minAge)
	if at.IsZero() {
		if !r.missingTimeIsNew {
			return Finding{}, false
		}
		return Finding{Rule: RuleTooNew, Verdict: Block,
			Reason: fmt.Sprintf("%s: publish time unknown, treated as too new (policy: %s)", unknown, policy)}, true
	}
	age := now.Sub(at)
	if age >= minAge {
		return Finding{}, false
	}
	ago := humanDuration(age) + " ago"
	switch {
	case age < -time.Hour:
		// Beyond clock skew: the document claims a date ahead of now.
		ago = "with a date in the future (" + at.UTC().Format(time.DateOnly) + ")"
	case age < time.Minute:
		ago = "just now"
	}
	return Finding{Rule: RuleTooNew, Verdict: Block,
		Reason: fmt.Sprintf("%s %s (policy: %s)", subject, ago, policy)}, true
}

// NextChange implements TimedRule: the instant the package, release or file
// in in reaches its minimum age, when that is still ahead.
func (r TooNewRule) NextChange(in Input) time.Time {
	p := in.Package
	if p == nil || !p.Exists {
		return time.Time{}
	}
	at, minAge := p.Created, r.minPackageAge
	if in.Release != nil {
		at, minAge = in.Release.Published, r.minReleaseAge
		if in.File != nil && !in.File.Uploaded.IsZero() {
			at = in.File.Uploaded
		}
	}
	if minAge <= 0 || at.IsZero() {
		return time.Time{}
	}
	if t := at.Add(minAge); t.After(in.Now) {
		return t
	}
	return time.Time{}
}

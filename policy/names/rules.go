package names

import (
	"fmt"
	"slices"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// Rule IDs of the rules in this package (the policy package owns them).
const (
	RuleTyposquat = policy.RuleTyposquat
	RuleUnpopular = policy.RuleUnpopular
)

// weeksPerMonth converts weekly to monthly download counts.
const weeksPerMonth = 4.3

// youngPackage: a package first published this recently is young. A
// plausible slip on any target by a young package with under 1/1000 of
// its target's downloads is blocked online even when the target's tier
// alone would only warn.
const youngPackage = 90 * 24 * time.Hour

// TyposquatRule returns DEP-003: the requested name imitates a popular name.
// A high-confidence match blocks, a low-confidence one warns. A name in the
// popular snapshot never fires, nor does one whose own weekly downloads are
// at least 1 % of the target's (it is not "much less popular").
//
// The "declares the same repository as the target" exemption of
// detection.md §2.3 is not implemented: the corpus does not carry the
// targets' repositories. Legitimate look-alikes are allowlisted instead.
func TyposquatRule(ix *Index) policy.Rule { return typosquatRule{ix: ix} }

type typosquatRule struct{ ix *Index }

func (typosquatRule) Info() policy.RuleInfo {
	info, _ := policy.CatalogueInfo(RuleTyposquat)
	return info
}

func (r typosquatRule) Evaluate(in policy.Input) (policy.Finding, bool) {
	p := in.Package
	if p == nil || p.Signals.Popular {
		return policy.Finding{}, false
	}
	m, ok := r.ix.Typosquat(p.Ecosystem, p.Name)
	if !ok || slices.Contains(p.Signals.SameRepository, m.Target) {
		return policy.Finding{}, false
	}
	if w := p.Signals.WeeklyDownloads; w > 0 && m.TargetMonthly > 0 && float64(w)*weeksPerMonth*100 >= float64(m.TargetMonthly) {
		return policy.Finding{}, false
	}
	v := policy.Warn
	if m.Confidence == High || (m.Slip && youngAndObscure(in, m)) {
		v = policy.Block
	}
	return policy.Finding{
		Rule:        RuleTyposquat,
		Verdict:     v,
		Reason:      fmt.Sprintf("`%s` looks like `%s` (%s)", p.Name, m.Target, describeFamily(m.Family)),
		Suggestions: []string{m.Target},
	}, true
}

// youngAndObscure: the package is known to be young and far less popular
// than the target it resembles (downloads unknown count as obscure: a
// brand-new package has none to report).
func youngAndObscure(in policy.Input, m Match) bool {
	p := in.Package
	if p.Created.IsZero() || in.Now.IsZero() || in.Now.Sub(p.Created) > youngPackage {
		return false
	}
	w := p.Signals.WeeklyDownloads
	return w < 0 || m.TargetMonthly <= 0 || float64(w)*weeksPerMonth*farLessRatio < float64(m.TargetMonthly)
}

func describeFamily(f string) string {
	switch f {
	case FamilyTransposition:
		return "transposed letters"
	case FamilySubstitution:
		return "one letter changed"
	case FamilyInsertion:
		return "one extra letter"
	case FamilyOmission:
		return "one letter missing"
	case FamilyRepetition:
		return "a repeated letter"
	case FamilyHomoglyph:
		return "look-alike characters"
	case FamilySeparator:
		return "different separators"
	case FamilyReorder:
		return "reordered words"
	case FamilyAffix:
		return "an added or dropped prefix or suffix"
	case FamilyVersionSuffix:
		return "a version number added or changed"
	case FamilyScopeConfusion:
		return "a confusable npm scope"
	case FamilyAffixEdit:
		return "an added or dropped suffix and one letter changed"
	case FamilyCompound:
		return "a word added to the name"
	case FamilyPlural:
		return "an added or dropped plural s"
	case FamilyTruncation:
		return "its last two characters dropped"
	}
	return "two letters changed"
}

// UnpopularRule returns DEP-004: the package has fewer weekly downloads than
// minWeekly (finding severity Block; configure the rule's action as warn to
// only warn). When no source knows the count, the rule does what unknown
// says (off: nothing). Names in the popular snapshot never fire, nor do
// names that do not exist upstream (DEP-001 covers them).
//
// Signals with WeeklyDownloads 0 and no DownloadsSource are the zero value
// (never filled in) and count as unknown.
func UnpopularRule(minWeekly int64, unknown policy.Action) policy.Rule {
	return unpopularRule{min: minWeekly, unknown: unknown}
}

type unpopularRule struct {
	min     int64
	unknown policy.Action
}

func (r unpopularRule) Info() policy.RuleInfo {
	info, _ := policy.CatalogueInfo(RuleUnpopular)
	return info
}

func (r unpopularRule) Evaluate(in policy.Input) (policy.Finding, bool) {
	p := in.Package
	if p == nil || !p.Exists || p.Signals.Popular {
		return policy.Finding{}, false
	}
	w := p.Signals.WeeklyDownloads
	if w < 0 || (w == 0 && p.Signals.DownloadsSource == "") {
		var v policy.Verdict
		switch r.unknown {
		case policy.ActionBlock:
			v = policy.Block
		case policy.ActionWarn:
			v = policy.Warn
		default:
			return policy.Finding{}, false
		}
		return policy.Finding{
			Rule:    RuleUnpopular,
			Verdict: v,
			Reason:  fmt.Sprintf("download count for `%s` is unknown, so its popularity cannot be checked", p.Name),
		}, true
	}
	if w >= r.min {
		return policy.Finding{}, false
	}
	return policy.Finding{
		Rule:    RuleUnpopular,
		Verdict: policy.Block,
		Reason:  fmt.Sprintf("`%s` has only %d downloads in the last week (minimum %d)", p.Name, w, r.min),
	}, true
}

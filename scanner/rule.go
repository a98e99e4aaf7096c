package scanner

import (
	"slices"
	"strings"
)

// Category groups rules for -C/--category.
type Category string

const (
	CategoryDep     Category = "dep"
	CategoryAuth    Category = "auth"
	CategorySecrets Category = "secrets"
	CategoryTests   Category = "tests"
	CategoryScanner Category = "scanner" // the scanner's own findings (suppressions)
)

// ParseCategory accepts dep, auth, secrets or tests (and a few aliases the
// original vigil CLI users type).
func ParseCategory(v string) (Category, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "dep", "deps", "dependencies", "supply-chain":
		return CategoryDep, true
	case "auth":
		return CategoryAuth, true
	case "secrets", "secret", "sec":
		return CategorySecrets, true
	case "tests", "test":
		return CategoryTests, true
	}
	return "", false
}

// RuleInfo is a rule's metadata: it feeds the scan outputs (SARIF rule
// descriptors, markdown fixes), `vigil-proxy rules` and the admin UI. It
// lives next to each rule's code.
type RuleInfo struct {
	ID       string
	Name     string // PascalCase short name for SARIF (e.g. "PlaceholderSecret")
	Title    string // one line
	Category Category
	Severity Severity // default severity
	// Security marks a security rule: SARIF carries security-severity for it.
	// Never set it on test-quality rules (GitHub then treats them as security).
	Security  bool
	CWE       []int
	Precision string // very-high, high, medium, low
	// Description is the rationale: why this matters (a paragraph).
	Description string
	// Impact is one sentence for critical findings in reports.
	Impact string
	// Fix says what to do; Bad and Good are short examples.
	Fix  string
	Bad  string
	Good string
	Tags []string
	// Supersedes lists rules whose finding on the same line reports the
	// same mistake less precisely (AUTH-004 at a signing sink supersedes
	// SEC-001 on that literal): only this rule's finding is kept.
	Supersedes []string
}

// Catalogue is a set of rule metadata, sorted by ID.
type Catalogue []RuleInfo

// Lookup finds a rule's metadata.
func (c Catalogue) Lookup(id string) (RuleInfo, bool) {
	for _, r := range c {
		if r.ID == id {
			return r, true
		}
	}
	return RuleInfo{}, false
}

// Sorted returns the catalogue ordered by ID, duplicates removed (first wins).
func (c Catalogue) Sorted() Catalogue {
	out := make(Catalogue, 0, len(c))
	seen := map[string]bool{}
	for _, r := range c {
		if !seen[r.ID] {
			seen[r.ID] = true
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b RuleInfo) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// SuppressionRule is raised for an inline suppression that gives no reason.
var SuppressionRule = RuleInfo{
	ID:          "SUP-001",
	Name:        "SuppressionWithoutReason",
	Title:       "Suppression without a reason",
	Category:    CategoryScanner,
	Severity:    Low,
	Precision:   "very-high",
	Description: "A vigil-ignore comment must say why the finding does not apply, so that reviewers can audit it. Without a reason the suppression is not applied.",
	Fix:         "Add the reason after two dashes.",
	Bad:         "token = \"x\"  # vigil-ignore: SEC-001",
	Good:        "token = \"x\"  # vigil-ignore: SEC-001 -- test fixture, never deployed",
}

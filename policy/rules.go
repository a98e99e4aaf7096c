package policy

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// CoreRules returns the bindings of the rules this package implements
// (DEP-001, DEP-002, DEP-005, DEP-007, MAL-001) with the actions the settings
// give them. DEP-003 and DEP-004 are built elsewhere and appended by the
// caller. sg may be nil (no "did you mean" suggestions).
func CoreRules(s Settings, sg Suggester) ([]Binding, error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("rule settings: %w", err)
	}
	rules := []Rule{
		NewNonexistentRule(sg),
		NewTooNewRule(s),
		NewNoRepositoryRule(s.CodeHosts),
		NonexistentVersionRule{},
		MaliciousRule{Feed: s.Malware},
	}
	out := make([]Binding, 0, len(rules))
	for _, r := range rules {
		out = append(out, Binding{Rule: r, Action: s.Action(r.Info().ID)})
	}
	return out, nil
}

// Catalogue documents every built-in rule, including those implemented
// outside this package's core set (DEP-003, DEP-004) and the scanner rule
// DEP-006, in rule ID order.
func Catalogue() []RuleInfo {
	return []RuleInfo{
		nonexistentInfo(),
		tooNewInfo(),
		typosquatInfo(),
		unpopularInfo(),
		noRepositoryInfo(),
		{
			ID:    RuleUndeclaredImport,
			Title: "Import not declared in the manifest",
			Description: "Source code imports a package that no manifest (requirements, pyproject.toml, " +
				"package.json) declares. Such imports are often written by AI assistants from memory, " +
				"and the name a developer then installs by hand may not be the one intended, or may not exist. " +
				"Raised by the source scanner (vigil-proxy scan), which also maps import names to distributions " +
				"(yaml → PyYAML) and reports production code importing a development-only dependency; the proxy never raises it.",
			Remediation: "Declare the dependency in the manifest under its correct registry name, or " +
				"remove the import; suppress the finding if the module is provided another way.",
			Scope: 0,
		},
		nonexistentVersionInfo(),
		maliciousInfo(),
	}
}

// registryName is the user-facing name of an ecosystem's registry.
func registryName(eco Ecosystem) string {
	switch eco {
	case PyPI:
		return "PyPI"
	case NPM:
		return "npm"
	}
	return string(eco)
}

// humanDuration renders a duration for users: minutes below an hour, hours
// below two days, whole days above.
func humanDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Hour:
		return plural(int64(d/time.Minute), "minute")
	case d < 48*time.Hour:
		return plural(int64(d/time.Hour), "hour")
	}
	return plural(int64(d/(24*time.Hour)), "day")
}

func plural(n int64, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// upstreamText makes free text from upstream fit for a one-line reason:
// control characters become spaces, runs of spaces collapse and the result
// is cut at 200 characters.
func upstreamText(s string) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}

// quoteList renders names as "`a`", "`a` or `b`", "`a`, `b` or `c`".
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "`" + n + "`"
	}
	switch len(q) {
	case 0:
		return ""
	case 1:
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

func typosquatInfo() RuleInfo {
	return RuleInfo{
		ID:    RuleTyposquat,
		Title: "Typosquat of a popular package",
		Description: "The name differs from a much more popular package by a typo (swapped, missing, extra or " +
			"changed letters), look-alike characters, separators, word order, an ecosystem affix such as " +
			"python- or -js, a version suffix, or a confusable npm scope. Attackers register such names to " +
			"catch mistyped installs. Close matches against the most popular packages block; weaker ones warn. " +
			"A name that is itself in the popular-name snapshot is never a typosquat.",
		Remediation: "Install the suggested package if that is what you meant. If this package is the one you " +
			"want, ask an administrator to allowlist it.",
		Scope: ScopePackage,
	}
}

func unpopularInfo() RuleInfo {
	return RuleInfo{
		ID:    RuleUnpopular,
		Title: "Rarely downloaded package",
		Description: "The package has fewer weekly downloads than rules.min_weekly_downloads (default 100). " +
			"Hallucinated and malicious packages are new and barely used; popular packages are not. Counts come " +
			"from the embedded popularity snapshot, pypistats.org and the npm downloads API; when none answers, " +
			"rules.unknown_popularity applies.",
		Remediation: "Check that the name is right and that the project is the one you expect (repository, " +
			"maintainers, age). If it is, ask an administrator to allowlist it.",
		Scope: ScopePackage,
	}
}

// CatalogueInfo returns the catalogue entry of a rule ID (ok false for an
// unknown ID). Rules implemented outside this package take their text from
// here, so every rule is documented in one place.
func CatalogueInfo(id string) (RuleInfo, bool) {
	for _, info := range Catalogue() {
		if info.ID == id {
			return info, true
		}
	}
	return RuleInfo{}, false
}

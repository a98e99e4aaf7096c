package policy

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Rule IDs of every built-in rule. DEP-003 and DEP-004 are built outside this
// file family (typosquat and popularity data), DEP-006 is a scanner rule.
const (
	RuleNonexistent        = "DEP-001"
	RuleTooNew             = "DEP-002"
	RuleTyposquat          = "DEP-003"
	RuleUnpopular          = "DEP-004"
	RuleNoRepository       = "DEP-005"
	RuleUndeclaredImport   = "DEP-006"
	RuleNonexistentVersion = "DEP-007"
	RuleMalicious          = "MAL-001"
)

// RuleIDs lists every built-in rule ID in catalogue order.
func RuleIDs() []string {
	return []string{
		RuleNonexistent, RuleTooNew, RuleTyposquat, RuleUnpopular,
		RuleNoRepository, RuleUndeclaredImport, RuleNonexistentVersion, RuleMalicious,
	}
}

// Strategy is a named set of rule actions and thresholds.
//
//	| rule    | relaxed                        | default                         | strict                          |
//	|---------|--------------------------------|---------------------------------|---------------------------------|
//	| DEP-001 | block                          | block                           | block                           |
//	| DEP-002 | block, package 7d, release 2d  | block, package 30d, release 7d  | block, package 60d, release 14d |
//	| DEP-003 | warn                           | block                           | block                           |
//	| DEP-004 | off                            | warn                            | block                           |
//	| DEP-005 | off                            | warn                            | block                           |
//	| DEP-006 | warn                           | warn                            | block                           |
//	| DEP-007 | block                          | block                           | block                           |
//	| MAL-001 | block                          | block                           | block                           |
//
// DEP-006 is a scanner rule (it judges source trees, not registry packages).
// StrategyTable returns the same table as data.
type Strategy string

// The built-in strategies.
const (
	Relaxed         Strategy = "relaxed"
	DefaultStrategy Strategy = "default"
	Strict          Strategy = "strict"
)

// Strategies lists the built-in strategies from the most to the least
// permissive.
func Strategies() []Strategy { return []Strategy{Relaxed, DefaultStrategy, Strict} }

// ParseStrategy accepts "relaxed", "default" or "strict" in any case.
func ParseStrategy(s string) (Strategy, error) {
	st := Strategy(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(Strategies(), st) {
		return st, nil
	}
	return "", fmt.Errorf("unknown strategy %q (want relaxed, default or strict)", s)
}

// Settings configure the built-in rules.
type Settings struct {
	Strategy Strategy
	// Actions overrides the strategy's action per rule ID.
	Actions map[string]Action
	// MinPackageAge: a package first published more recently than this is
	// blocked (DEP-002). Zero disables the package-level age check.
	MinPackageAge time.Duration
	// MinReleaseAge: releases and files published more recently than this are
	// hidden and refused (DEP-002). Zero disables the release-level check.
	MinReleaseAge time.Duration
	// MissingTimeIsNew makes a missing publish time count as too new (fail
	// closed). Default true.
	MissingTimeIsNew bool
	// CodeHosts are the hosts accepted as source repositories (DEP-005); a
	// subdomain of an entry is accepted too.
	CodeHosts []string
	// MinWeeklyDownloads is the DEP-004 threshold (default 100).
	MinWeeklyDownloads int64
	// UnknownPopularity is DEP-004's action when no download source answers
	// (default warn).
	UnknownPopularity Action
	// Malware is the known-malware feed MAL-001 consults (nil: only the
	// registries' own markers).
	Malware MalwareFeed
}

// DefaultCodeHosts returns the code hosts DEP-005 accepts by default.
func DefaultCodeHosts() []string {
	return []string{
		"github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "sr.ht",
		"gitee.com", "sourceforge.net", "launchpad.net", "salsa.debian.org",
		"gitlab.gnome.org", "invent.kde.org", "framagit.org", "pagure.io",
		"savannah.gnu.org", "savannah.nongnu.org", "git.kernel.org",
	}
}

// strategyAges returns DEP-002's package and release age for a strategy;
// an unknown strategy gets the default one's.
func strategyAges(st Strategy) (pkgAge, relAge time.Duration) {
	const day = 24 * time.Hour
	switch st {
	case Relaxed:
		return 7 * day, 2 * day
	case Strict:
		return 60 * day, 14 * day
	default:
		return 30 * day, 7 * day
	}
}

// strategyAction is the strategy table's action for a rule; unknown rules
// are off. An unknown strategy behaves as the default one.
func strategyAction(st Strategy, ruleID string) Action {
	switch ruleID {
	case RuleNonexistent, RuleTooNew, RuleNonexistentVersion, RuleMalicious:
		return ActionBlock
	case RuleTyposquat:
		if st == Relaxed {
			return ActionWarn
		}
		return ActionBlock
	case RuleUnpopular, RuleNoRepository:
		switch st {
		case Relaxed:
			return ActionOff
		case Strict:
			return ActionBlock
		}
		return ActionWarn
	case RuleUndeclaredImport:
		if st == Strict {
			return ActionBlock
		}
		return ActionWarn
	}
	return ActionOff
}

// DefaultSettings returns the strategy's defaults. An unknown strategy is
// kept as given (Validate reports it) and gets the default strategy's values.
func DefaultSettings(st Strategy) Settings {
	pkgAge, relAge := strategyAges(st)
	return Settings{
		Strategy:           st,
		MinPackageAge:      pkgAge,
		MinReleaseAge:      relAge,
		MissingTimeIsNew:   true,
		CodeHosts:          DefaultCodeHosts(),
		MinWeeklyDownloads: 100,
		UnknownPopularity:  ActionWarn,
	}
}

// Action returns the configured action for a rule: the override in Actions
// if any, else the strategy's. Unknown rule IDs are off. An empty or unknown
// strategy behaves as the default one.
func (s Settings) Action(ruleID string) Action {
	if a, ok := s.Actions[ruleID]; ok {
		return a
	}
	return strategyAction(s.Strategy, ruleID)
}

// Validate reports every problem in the settings, joined.
func (s Settings) Validate() error {
	var errs []error
	if !slices.Contains(Strategies(), s.Strategy) {
		errs = append(errs, fmt.Errorf("strategy %q: want relaxed, default or strict", s.Strategy))
	}
	ids := make([]string, 0, len(s.Actions))
	for id := range s.Actions {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if !slices.Contains(RuleIDs(), id) {
			errs = append(errs, fmt.Errorf("actions: unknown rule ID %q (known: %s)", id, strings.Join(RuleIDs(), ", ")))
		}
		if !validAction(s.Actions[id]) {
			errs = append(errs, fmt.Errorf("actions: rule %s: unknown action %q (want off, warn or block)", id, s.Actions[id]))
		}
	}
	if s.MinPackageAge < 0 {
		errs = append(errs, fmt.Errorf("min package age %s: must not be negative", s.MinPackageAge))
	}
	if s.MinReleaseAge < 0 {
		errs = append(errs, fmt.Errorf("min release age %s: must not be negative", s.MinReleaseAge))
	}
	if s.MinWeeklyDownloads < 0 {
		errs = append(errs, fmt.Errorf("min weekly downloads %d: must not be negative", s.MinWeeklyDownloads))
	}
	if !validAction(s.UnknownPopularity) {
		errs = append(errs, fmt.Errorf("unknown popularity action %q: want off, warn or block", s.UnknownPopularity))
	}
	for i, h := range s.CodeHosts {
		if err := validateCodeHost(h); err != nil {
			errs = append(errs, fmt.Errorf("code host %d: %w", i, err))
		}
	}
	if len(s.CodeHosts) == 0 && s.Action(RuleNoRepository) != ActionOff {
		errs = append(errs, fmt.Errorf("code hosts: empty while %s is on (every package would fail it)", RuleNoRepository))
	}
	return errors.Join(errs...)
}

func validAction(a Action) bool {
	return a == ActionOff || a == ActionWarn || a == ActionBlock
}

// validateCodeHost accepts a bare lower- or upper-case host name such as
// "github.com": no scheme, path, port or spaces.
func validateCodeHost(h string) error {
	if h == "" {
		return errors.New("empty host")
	}
	if len(h) > 253 {
		return fmt.Errorf("host %.20q…: too long", h)
	}
	for _, r := range h {
		ok := r == '.' || r == '-' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return fmt.Errorf("host %q: want a bare host name such as github.com (no scheme, path or port)", h)
		}
	}
	if strings.HasPrefix(h, ".") || strings.HasSuffix(h, ".") || strings.Contains(h, "..") {
		return fmt.Errorf("host %q: malformed", h)
	}
	return nil
}

// StrategyCell is one cell of the strategy table: an action and, for rules
// with thresholds, a short description of them.
type StrategyCell struct {
	Action Action `json:"action"`
	Detail string `json:"detail,omitempty"`
}

// String renders the cell as "block" or "block, package 30d, release 7d".
func (c StrategyCell) String() string {
	if c.Detail == "" {
		return string(c.Action)
	}
	return string(c.Action) + ", " + c.Detail
}

// StrategyRow is one rule's line in the strategy table.
type StrategyRow struct {
	Rule    string       `json:"rule"`
	Title   string       `json:"title"`
	Relaxed StrategyCell `json:"relaxed"`
	Default StrategyCell `json:"default"`
	Strict  StrategyCell `json:"strict"`
}

// StrategyTable returns, for every rule, what each strategy does; the CLI and
// the README print it.
func StrategyTable() []StrategyRow {
	titles := map[string]string{}
	for _, ri := range Catalogue() {
		titles[ri.ID] = ri.Title
	}
	cell := func(st Strategy, id string) StrategyCell {
		c := StrategyCell{Action: strategyAction(st, id)}
		if id == RuleTooNew {
			p, r := strategyAges(st)
			c.Detail = fmt.Sprintf("package %s, release %s", shortDays(p), shortDays(r))
		}
		return c
	}
	var rows []StrategyRow
	for _, id := range RuleIDs() {
		rows = append(rows, StrategyRow{
			Rule:    id,
			Title:   titles[id],
			Relaxed: cell(Relaxed, id),
			Default: cell(DefaultStrategy, id),
			Strict:  cell(Strict, id),
		})
	}
	return rows
}

// shortDays renders a whole number of days as "30d", anything else with
// time.Duration's own format.
func shortDays(d time.Duration) string {
	const day = 24 * time.Hour
	if d > 0 && d%day == 0 {
		return fmt.Sprintf("%dd", d/day)
	}
	return d.String()
}

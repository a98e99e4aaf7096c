package policy

import (
	"fmt"
	"strings"
	"time"
)

// Suggester proposes the names a user may have meant. The typosquat and
// popularity data implement it; rules take it as an optional dependency.
type Suggester interface {
	// Suggest returns up to max popular names nearest to name.
	Suggest(eco Ecosystem, name string, max int) []string
	// ExistsElsewhere reports whether name is a known popular name in another
	// ecosystem, and which.
	ExistsElsewhere(eco Ecosystem, name string) (Ecosystem, bool)
}

// maxSuggestions bounds the "did you mean" list.
const maxSuggestions = 3

// NonexistentRule is DEP-001: the name does not exist upstream, or it did not
// exist when first requested and has been registered since (a probable
// slopsquat of a recorded hallucination).
type NonexistentRule struct {
	sg Suggester
}

// NewNonexistentRule returns DEP-001. sg may be nil (no suggestions).
func NewNonexistentRule(sg Suggester) NonexistentRule { return NonexistentRule{sg: sg} }

func nonexistentInfo() RuleInfo {
	return RuleInfo{
		ID:    RuleNonexistent,
		Title: "Package does not exist",
		Description: "AI assistants invent plausible package names (about one reference in five in published " +
			"studies), and attackers register the names they repeat (slopsquatting). A request for a " +
			"name that does not exist is explained with the names you probably meant and recorded; if the " +
			"name is registered later, requests for it are blocked as a probable slopsquat.",
		Remediation: "Install the real package suggested in the message, or check the name in the " +
			"project's documentation. If a recorded name was legitimately registered by the project you " +
			"want, add an allowlist entry for it.",
		Scope: ScopePackage,
	}
}

// Info documents DEP-001.
func (NonexistentRule) Info() RuleInfo { return nonexistentInfo() }

// Evaluate blocks names that do not exist and watchlisted names that exist now.
func (r NonexistentRule) Evaluate(in Input) (Finding, bool) {
	p := in.Package
	if p == nil {
		return Finding{}, false
	}
	switch {
	case !p.Exists:
		f := Finding{Rule: RuleNonexistent, Verdict: Block}
		f.Reason = fmt.Sprintf("`%s` does not exist on %s", p.Name, registryName(p.Ecosystem))
		if r.sg != nil {
			if other, ok := r.sg.ExistsElsewhere(p.Ecosystem, p.Name); ok && other != p.Ecosystem {
				f.Reason += fmt.Sprintf(" — `%s` is %s package, not %s one",
					p.Name, withArticle(other), withArticle(p.Ecosystem))
			}
			f.Suggestions = r.suggest(p)
			if len(f.Suggestions) > 0 {
				f.Reason += " — did you mean " + quoteList(f.Suggestions) + "?"
			}
		}
		return f, true
	case p.Signals.Watchlisted != nil:
		w := p.Signals.Watchlisted
		f := Finding{Rule: RuleNonexistent, Verdict: Block}
		first := "first requested"
		if !w.FirstSeen.IsZero() {
			first += " on " + w.FirstSeen.UTC().Format(time.DateOnly)
		}
		if w.Count > 0 {
			first += " (" + plural(int64(w.Count), "request") + ")"
		}
		f.Reason = fmt.Sprintf("probable slopsquat: `%s` did not exist when %s and has been registered since", p.Name, first)
		if r.sg != nil {
			f.Suggestions = r.suggest(p)
			if len(f.Suggestions) > 0 {
				f.Reason += " — did you mean " + quoteList(f.Suggestions) + "?"
			}
		}
		return f, true
	}
	return Finding{}, false
}

// suggest asks the suggester, dropping the name itself, empty names and
// anything beyond maxSuggestions.
func (r NonexistentRule) suggest(p *Package) []string {
	var out []string
	for _, s := range r.sg.Suggest(p.Ecosystem, p.Name, maxSuggestions) {
		if s == "" || s == p.Name || len(out) == maxSuggestions {
			continue
		}
		out = append(out, s)
	}
	return out
}

// withArticle is "a PyPI" or "an npm".
func withArticle(eco Ecosystem) string {
	name := registryName(eco)
	if eco == NPM || (name != "" && strings.ContainsRune("aeiouAEIOU", rune(name[0]))) {
		return "an " + name
	}
	return "a " + name
}

package scanner

import (
	"fmt"
	"sort"
	"strings"
)

// checkRuleIDs compares the rule IDs a user named with the rules the
// analyzers know. An unknown --rule is an error: selecting no rule at all
// would make the scan pass while checking nothing. An unknown rule in the
// configuration file only has no effect, so it becomes a note.
func checkRuleIDs(opts Options, known map[string]Severity) ([]string, error) {
	isKnown := func(id string) bool {
		if _, ok := known[id]; ok || id == SuppressionRule.ID {
			return true
		}
		for k := range known {
			if strings.EqualFold(k, id) {
				return true
			}
		}
		return false
	}
	for _, id := range opts.Rules {
		if !isKnown(id) {
			return nil, fmt.Errorf("unknown rule %q: vigil-proxy rules lists every rule ID", id)
		}
	}
	if opts.Config == nil {
		return nil, nil
	}
	var notes []string
	for id := range opts.Config.Rules {
		switch _, exact := known[id]; {
		case exact:
		case isKnown(id):
			notes = append(notes, fmt.Sprintf("%s: rules.%s: no such rule, the entry has no effect (rule IDs are upper case: %s)", opts.Config.Path, id, strings.ToUpper(id)))
		default:
			notes = append(notes, fmt.Sprintf("%s: rules.%s: no such rule, the entry has no effect (vigil-proxy rules lists every rule ID)", opts.Config.Path, id))
		}
	}
	sort.Strings(notes)
	return notes, nil
}

package npm

import (
	_ "embed"
	"strings"
	"sync"
)

// mixedCaseNames lists the legacy npm names with capital letters that the
// registry serves (see the file's header for where it comes from).
//
//go:embed data/mixed-case-names.txt
var mixedCaseNames string

// legacyMixedCase is the set parsed from mixedCaseNames, built on first use.
var legacyMixedCase = sync.OnceValue(func() map[string]bool {
	set := map[string]bool{}
	for _, line := range strings.Split(mixedCaseNames, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			set[line] = true
		}
	}
	return set
})

// HasCapitals reports whether name has an upper-case letter. The registry
// refuses such names for new packages, so a name with capitals exists only
// as a legacy package published before that rule.
func HasCapitals(name string) bool {
	return strings.ToLower(name) != name
}

// KnownLegacyName reports whether name, spelled exactly so, is one of the
// legacy mixed-case packages of the npm package list (JSONStream, jQuery).
// Without the network, this is the only evidence that a name with capitals
// exists: the name corpus keeps names lower-case (npm.Canonical), so on its
// own it cannot tell JSONStream, a popular package, from LODASH, which the
// registry does not have.
func KnownLegacyName(name string) bool {
	return legacyMixedCase()[name]
}

// LegacyNameCount is the number of known legacy mixed-case names.
func LegacyNameCount() int { return len(legacyMixedCase()) }

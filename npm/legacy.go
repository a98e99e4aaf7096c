package npm

import (
	_ "embed"
	"strings"
)

// mixedCaseNames lists the legacy npm names with capital letters that the
// registry serves (see the file's header for where it comes from).
//
//go:embed data/mixed-case-names.txt
var mixedCaseNames string

// LegacyNames is the set of legacy npm packages whose names have capital
// letters. Build it once with LoadLegacyNames and pass it to whoever needs
// it; it is never changed, so it is safe for concurrent use. A nil
// *LegacyNames knows no name.
type LegacyNames struct {
	set map[string]struct{}
}

// LoadLegacyNames parses the embedded list of legacy mixed-case names
// (npm/data/mixed-case-names.txt).
func LoadLegacyNames() *LegacyNames { return parseLegacyNames(mixedCaseNames) }

// parseLegacyNames reads one name a line, skipping blank lines and #
// comments.
func parseLegacyNames(text string) *LegacyNames {
	l := &LegacyNames{set: map[string]struct{}{}}
	for line := range strings.Lines(text) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			l.set[line] = struct{}{}
		}
	}
	return l
}

// HasCapitals reports whether name has an upper-case letter. The registry
// refuses such names for new packages, so a name with capitals exists only
// as a legacy package published before that rule.
func HasCapitals(name string) bool {
	return strings.ToLower(name) != name
}

// Known reports whether name, spelled exactly so, is one of the legacy
// mixed-case packages of the npm package list (JSONStream, jQuery).
// Without the network, this is the only evidence that a name with capitals
// exists: the name corpus keeps names lower-case (npm.Canonical), so on its
// own it cannot tell JSONStream, a popular package, from LODASH, which the
// registry does not have.
func (l *LegacyNames) Known(name string) bool {
	if l == nil {
		return false
	}
	_, ok := l.set[name]
	return ok
}

// Len is the number of known legacy mixed-case names.
func (l *LegacyNames) Len() int {
	if l == nil {
		return 0
	}
	return len(l.set)
}

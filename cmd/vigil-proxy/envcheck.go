package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/agnivade/levenshtein"
)

// Unknown VIGIL_* variables. A YAML key vigil-proxy does not know is an
// error, but the environment also holds variables meant for other
// programs, so a VIGIL_* variable it does not read is reported (serve logs
// a warning, config prints one) rather than refused: a misspelt
// VIGIL_STORE_URL would otherwise leave a replica on its own bbolt store
// without a word.

// knownVariables is every environment variable vigil-proxy reads.
func knownVariables() []string {
	// Read by vigil-proxy but not keys of Config: credentials serve reads,
	// scan's own settings.
	known := []string{
		"VIGIL_CONFIG",
		"VIGIL_SESSION_KEY", "VIGIL_SESSION_KEY_FILE",
		"VIGIL_WEBHOOK_SECRET", "VIGIL_WEBHOOK_SECRET_FILE",
		"VIGIL_SCAN_PROXY_HOSTS", "VIGIL_SCAN_CACHE_DIR",
	}
	c := defaultConfig()
	for _, ev := range envVars(&c) {
		known = append(known, ev.Name)
	}
	for _, prefix := range adminRolePrefix {
		known = append(known, prefix+"_TOKEN", prefix+"_TOKEN_FILE", prefix+"_PASSWORD_HASH", prefix+"_PASSWORD_HASH_FILE", prefix+"_USER")
	}
	slices.Sort(known)
	return known
}

// unknownVariable is a VIGIL_* variable vigil-proxy does not read, with a
// hint at what was probably meant ("" when nothing is close).
type unknownVariable struct{ Name, Hint string }

func (u unknownVariable) String() string {
	msg := u.Name + " is not a vigil-proxy setting and is ignored"
	if u.Hint != "" {
		msg += " (" + u.Hint + ")"
	}
	return msg
}

// unknownVariables lists the VIGIL_* variables in environ ("NAME=value"
// pairs, as os.Environ gives them) that vigil-proxy does not read, sorted.
// Values are never kept: they may be secrets.
func unknownVariables(environ []string) []unknownVariable {
	known := knownVariables()
	var out []unknownVariable
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "VIGIL_") {
			continue
		}
		if _, ok := slices.BinarySearch(known, name); ok {
			continue
		}
		u := unknownVariable{Name: name}
		if base, ok := strings.CutSuffix(name, "_FILE"); ok && slices.Contains(known, base) {
			u.Hint = fmt.Sprintf("%s has no _FILE form: set %s itself", base, base)
		} else if near := nearest(name, known); near != "" {
			u.Hint = "did you mean " + near + "?"
		}
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b unknownVariable) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// nearest is the known name closest to name by edit distance (after the
// VIGIL_ prefix, ignoring case), if it is close enough to be a
// misspelling: at most two edits, or a fifth of a long name.
func nearest(name string, known []string) string {
	rest := strings.ToUpper(strings.TrimPrefix(name, "VIGIL_"))
	best, bestDist := "", max(2, len(rest)/5)+1
	for _, k := range known {
		if d := levenshtein.ComputeDistance(rest, strings.TrimPrefix(k, "VIGIL_")); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

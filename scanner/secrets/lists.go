package secrets

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed data/secretlists.yaml
var secretListsYAML []byte

//go:embed data/words.txt
var wordsTxt string

// lists are the known-public values and placeholder patterns of SEC-001,
// the shipped data file extended by the scan configuration.
type lists struct {
	Version       int
	knownPublic   map[string]bool
	knownPrefixes []string
	placeholders  []*regexp.Regexp
	dictionary    map[string]bool
	maxWordLen    int
}

type listsFile struct {
	Version     int `yaml:"version"`
	KnownPublic []struct {
		Value  string `yaml:"value"`
		Source string `yaml:"source"`
	} `yaml:"known_public"`
	KnownPublicPrefixes []struct {
		Prefix string `yaml:"prefix"`
		Source string `yaml:"source"`
	} `yaml:"known_public_prefixes"`
	Placeholders []struct {
		Pattern string `yaml:"pattern"`
		Source  string `yaml:"source"`
	} `yaml:"placeholders"`
}

// loadLists parses the embedded data file and adds the user's values and
// patterns (.vigil.yaml known_public_secrets, placeholder_patterns). A bad
// user pattern is a configuration error.
func loadLists(extraKnown, extraPatterns []string) (*lists, error) {
	var lf listsFile
	if err := yaml.Unmarshal(secretListsYAML, &lf); err != nil {
		return nil, fmt.Errorf("secret lists: %w", err)
	}
	l := &lists{Version: lf.Version, knownPublic: map[string]bool{}, dictionary: map[string]bool{}}
	for _, k := range lf.KnownPublic {
		if k.Source == "" {
			return nil, fmt.Errorf("secret lists: known-public value without a source")
		}
		l.knownPublic[k.Value] = true
	}
	for _, k := range extraKnown {
		if k = strings.TrimSpace(k); k != "" {
			l.knownPublic[k] = true
		}
	}
	for _, p := range lf.KnownPublicPrefixes {
		l.knownPrefixes = append(l.knownPrefixes, p.Prefix)
	}
	add := func(p, origin string) error {
		re, err := regexp.Compile(`(?i)^(?:` + p + `)$`)
		if err != nil {
			return fmt.Errorf("%s placeholder pattern %q: %w", origin, p, err)
		}
		l.placeholders = append(l.placeholders, re)
		return nil
	}
	for _, p := range lf.Placeholders {
		if err := add(p.Pattern, "shipped"); err != nil {
			return nil, err
		}
	}
	for _, p := range extraPatterns {
		if strings.TrimSpace(p) == "" {
			continue
		}
		if err := add(p, "placeholder_patterns:"); err != nil {
			return nil, err
		}
	}
	for _, w := range strings.Split(wordsTxt, "\n") {
		w = strings.TrimSpace(w)
		if w == "" || strings.HasPrefix(w, "#") || len(w) < 3 {
			continue
		}
		l.dictionary[w] = true
		l.maxWordLen = max(l.maxWordLen, len(w))
	}
	return l, nil
}

// isKnownPublic reports whether a literal's source text is a value published
// by documentation, tutorials or tool defaults.
func (l *lists) isKnownPublic(v string) bool {
	if l.knownPublic[v] {
		return true
	}
	for _, p := range l.knownPrefixes {
		if strings.HasPrefix(v, p) {
			return true
		}
	}
	return false
}

// isPlaceholder reports whether v stands in for a secret never set.
func (l *lists) isPlaceholder(v string) bool {
	// base64 padding is no part of the words: REPLACE_ME== is REPLACE_ME
	v = strings.TrimRight(strings.TrimSpace(v), "=")
	if v == "" || len(v) > 120 {
		return false
	}
	if len(v) >= 6 && strings.Count(v, v[:1]) == len(v) {
		return true // aaaaaa, 000000
	}
	if len(v) >= 6 && ascending(strings.ToLower(v)) {
		return true // abcdefgh, 123456789
	}
	for _, re := range l.placeholders {
		if re.MatchString(v) {
			return true
		}
	}
	return false
}

// dictionaryCoverage is the share of v's characters covered by dictionary
// words (3+ letters, greedy longest match), separators, and digit runs that
// people append (123, 2024, 1).
func (l *lists) dictionaryCoverage(v string) float64 {
	s := strings.ToLower(v)
	if s == "" {
		return 0
	}
	covered := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '-' || c == '_' || c == '.' || c == ' ' || c == '!' || c == '@' || c == '#' || c == '$':
			covered++
			i++
			continue
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if memorableDigits(s[i:j]) {
				covered += j - i
			}
			i = j
			continue
		}
		best := 0
		for n := min(l.maxWordLen, len(s)-i); n >= 3; n-- {
			if l.dictionary[s[i:i+n]] {
				best = n
				break
			}
		}
		if best > 0 {
			covered += best
			i += best
		} else {
			i++
		}
	}
	return float64(covered) / float64(len(s))
}

// memorableDigits: short runs, sequences and years.
func memorableDigits(d string) bool {
	if len(d) <= 2 {
		return true
	}
	if len(d) == 4 && (strings.HasPrefix(d, "19") || strings.HasPrefix(d, "20")) {
		return true
	}
	asc, desc, same := true, true, true
	for i := 1; i < len(d); i++ {
		if d[i] != d[i-1]+1 {
			asc = false
		}
		if d[i] != d[i-1]-1 {
			desc = false
		}
		if d[i] != d[i-1] {
			same = false
		}
	}
	return asc || desc || same
}

// ascending: every character follows the previous one (abcdef, 12345678).
func ascending(s string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] != s[i-1]+1 {
			return false
		}
	}
	return true
}

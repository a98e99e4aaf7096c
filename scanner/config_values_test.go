package scanner

import (
	"context"
	"strings"
	"testing"
)

// Values that used to fall back silently (an exclude glob matching nothing,
// an option ignored for its default) are errors that name the key.
func TestConfigRejectsValuesThatWouldBeIgnored(t *testing.T) {
	for doc, want := range map[string]string{
		`exclude: ["["]`:                              `exclude "[": not a valid glob`,
		`exclude: ["legacy/{a,b"]`:                    `exclude "legacy/{a,b": not a valid glob`,
		`rules: {AUTH-003: {max_lifetime: forever}}`:  `rules.AUTH-003.max_lifetime: "forever" is not a duration`,
		`rules: {TEST-002: {min_assertions: -5}}`:     `rules.TEST-002.min_assertions: -5 is not a positive whole number`,
		`rules: {TEST-002: {min_assertions: two}}`:    `rules.TEST-002.min_assertions: "two" is not a positive whole number`,
		`rules: {DEP-008: {allowed_hosts: 7}}`:        `rules.DEP-008.allowed_hosts: want a list of host[:port] strings`,
		`rules: {DEP-008: {allowed_hosts: [a.b, 7]}}`: `rules.DEP-008.allowed_hosts: want a list of host[:port] strings`,
	} {
		_, err := ParseConfig([]byte(doc), ".vigil.yaml")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", doc, err, want)
		}
	}
	for _, doc := range []string{
		`exclude: ["legacy/**", "*.min.js", "{a,b}/x"]`,
		`rules: {AUTH-003: {max_lifetime: 7d}, TEST-002: {min_assertions: 2}, DEP-008: {allowed_hosts: [vigil:8080]}}`,
		`rules: {AUTH-003: {max_lifetime: 3600}, TEST-002: {min_assertions: "3"}, DEP-008: {allowed_hosts: vigil:8080}}`,
	} {
		if _, err := ParseConfig([]byte(doc), ".vigil.yaml"); err != nil {
			t.Errorf("%s: %v", doc, err)
		}
	}
}

func TestInvalidExcludeFlagIsAnError(t *testing.T) {
	root := writeTree(t, map[string]string{"a.py": "FINDME\n"})
	_, err := Scan(context.Background(), Options{Root: root, Analyzers: []Analyzer{&markerAnalyzer{}}, Exclude: []string{"src/[a-"}})
	if err == nil || !strings.Contains(err.Error(), `exclude "src/[a-": not a valid glob`) {
		t.Errorf("--exclude src/[a-: err = %v", err)
	}
}

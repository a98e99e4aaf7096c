// Package pypi is vigil-proxy's PyPI adapter: PEP 503 names, distribution
// filename parsing, the simple repository API (PEP 503 HTML and PEP 691 JSON)
// parsed and rendered, the Warehouse JSON API, and the reduction of both to
// policy facts.
package pypi

import (
	"fmt"
	"strings"
)

// MaxNameLength bounds the project names ValidName accepts.
const MaxNameLength = 200

// Normalize returns the PEP 503 normalized form of a project name: lower
// case, with every run of "-", "_" and "." replaced by a single "-".
func Normalize(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	inRun := false
	for _, r := range strings.ToLower(name) {
		if r == '-' || r == '_' || r == '.' {
			if !inRun {
				b.WriteByte('-')
			}
			inRun = true
			continue
		}
		inRun = false
		b.WriteRune(r)
	}
	return b.String()
}

// ValidName reports whether name is a valid PyPI project name: ASCII letters,
// digits, ".", "-" and "_", starting and ending with a letter or digit, at
// most MaxNameLength bytes.
func ValidName(name string) bool { return NameProblem(name) == "" }

// NameProblem says what makes name an invalid PyPI project name, in words
// that never quote it ("" for a valid name).
func NameProblem(name string) string {
	if name == "" {
		return "empty"
	}
	if len(name) > MaxNameLength {
		return fmt.Sprintf("longer than %d characters", MaxNameLength)
	}
	edge := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case isAlnum(c):
		case c == '.' || c == '-' || c == '_':
			if i == 0 || i == len(name)-1 {
				edge = true
			}
		default:
			return "contains characters other than ASCII letters, digits, dot, hyphen and underscore"
		}
	}
	if edge {
		return "starts or ends with a separator"
	}
	return ""
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

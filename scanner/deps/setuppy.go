package deps

import (
	"regexp"
	"strings"
)

// setupKeyword finds the requirement keywords of a setup() call.
var setupKeyword = regexp.MustCompile(`\b(install_requires|extras_require|tests_require|setup_requires)\s*=\s*`)

// parseSetupPy reads the literal requirement lists of setup.py:
// install_requires=[…] and extras_require={…: […]} (the package's own),
// tests_require and setup_requires (development-only). Nothing is run: a
// keyword whose value is computed (a variable, a file read, a
// comprehension) makes the manifest Incomplete, and its requirements are
// not known.
func parseSetupPy(b []byte) (Manifest, error) {
	var m Manifest
	src := string(hasBOM(b))
	for _, loc := range setupKeyword.FindAllStringSubmatchIndex(src, -1) {
		if commentedOut(src, loc[0]) {
			continue
		}
		key := src[loc[2]:loc[3]]
		strs, ok := literalStrings(src, loc[1])
		if !ok {
			m.Incomplete = true
			continue
		}
		if key == "setup_requires" {
			key = "tests_require" // both development-only
		}
		for _, s := range strs {
			r, ok := parsePEP508(s.text)
			if !ok {
				continue
			}
			line := 1 + strings.Count(src[:s.at], "\n")
			if r.url != "" {
				m.Bypasses = append(m.Bypasses, Bypass{Line: line, What: r.name + " fetched from " + redactURL(r.url)})
				m.unjudged(PyPI, r.name, line)
				continue
			}
			m.Deps = append(m.Deps, Declaration{Ecosystem: PyPI, Name: r.name, Spec: r.spec, Line: line,
				Dev: key == "tests_require"})
		}
	}
	return m, nil
}

// commentedOut: the offset lies after a # on its line that is outside a
// string literal (url="https://…#readme" before install_requires= on the
// same line is no comment), or inside a one-line string literal itself.
func commentedOut(src string, at int) bool {
	start := strings.LastIndexByte(src[:at], '\n') + 1
	var quote byte
	for i := start; i < at; i++ {
		switch c := src[i]; {
		case quote != 0 && c == '\\':
			i++
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			return true
		}
	}
	return quote != 0
}

type literal struct {
	text string
	at   int // offset of the opening quote
}

// literalStrings reads the Python literal starting at off — a list, tuple
// or dict of string literals (a dict's keys are skipped), or a single
// string — and returns its strings. ok is false for anything computed.
func literalStrings(src string, off int) (out []literal, ok bool) {
	if off >= len(src) {
		return nil, false
	}
	switch src[off] {
	case '"', '\'':
		s, end, ok := pyString(src, off)
		if !ok || !endsValue(src, end) {
			return nil, false
		}
		return []literal{{s, off}}, true
	case '[', '(', '{':
	default:
		return nil, false
	}
	depth := 0
	for i := off; i < len(src); {
		c := src[i]
		switch {
		case c == '[' || c == '(' || c == '{':
			depth++
			i++
		case c == ']' || c == ')' || c == '}':
			depth--
			i++
			if depth == 0 {
				// ["a"] + extra, [...][0]: computed after all
				return out, endsValue(src, i)
			}
		case c == '"' || c == '\'':
			s, end, ok := pyString(src, i)
			if !ok {
				return nil, false
			}
			if j := skipPySpace(src, end); j < len(src) && src[j] == ':' {
				i = j + 1 // a dict key (the extra's name)
				continue
			}
			out = append(out, literal{s, i})
			i = end
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\\':
			i++
		default:
			return nil, false // a name, a call, a comprehension, concatenation
		}
	}
	return nil, false
}

// endsValue: what follows a string value ends the keyword argument.
func endsValue(src string, end int) bool {
	j := skipPySpace(src, end)
	return j >= len(src) || src[j] == ',' || src[j] == ')'
}

func skipPySpace(src string, i int) int {
	for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r') {
		i++
	}
	return i
}

// pyString reads a plain (not raw, f- or byte-prefixed, not triple-quoted)
// string literal at src[i]: its value and the offset after it.
func pyString(src string, i int) (string, int, bool) {
	q := src[i]
	if strings.HasPrefix(src[i:], strings.Repeat(string(q), 3)) {
		return "", 0, false
	}
	var sb strings.Builder
	for j := i + 1; j < len(src); j++ {
		switch c := src[j]; c {
		case q:
			return sb.String(), j + 1, true
		case '\n':
			return "", 0, false
		case '\\':
			if j+1 < len(src) {
				j++
				sb.WriteByte(src[j])
			}
		default:
			sb.WriteByte(c)
		}
	}
	return "", 0, false
}

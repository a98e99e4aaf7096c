package auth

import (
	"regexp"
	"strings"
)

// A Next.js middleware (proxy.ts from Next.js 16) runs only for the paths
// its `export const config = { matcher: … }` matches; without a matcher it
// runs for every path. Matchers are path-to-regexp (v6) patterns, as Next.js
// compiles them: literal text, named parameters (/:id, /:path*, /:path+,
// /:id?, /:id(\d+)) and unnamed groups holding a regular expression, the
// common one being a negative lookahead that leaves out Next's own files:
// '/((?!api|_next/static|_next/image|favicon.ico).*)'.
//
// Whatever cannot be read with certainty (a matcher computed at run time,
// a pattern this reader does not know, a lookahead after a parameter or
// one Go's RE2 cannot evaluate) makes the whole matcher unknown, and an
// unknown matcher covers every route, as when none is given: the scanner
// falls towards no false positive. `has`/`missing` conditions of an object
// matcher are not read: the source alone decides.

// nextMatcher is a middleware's config.matcher; nil covers every path.
type nextMatcher struct {
	patterns []matcherPattern
}

// matcherPattern is one compiled matcher source.
type matcherPattern struct {
	re *regexp.Regexp
	// at and not: a lookahead (?!X) at byte offset at of the path (after a
	// literal prefix): paths whose text from there matches not are left out
	at  int
	not *regexp.Regexp
}

// covers reports whether the middleware runs for a route's URL path
// (dynamic segments [id], [...slug] stand for any value).
func (m *nextMatcher) covers(url string) bool {
	if m == nil {
		return true
	}
	sample := samplePath(url)
	for _, p := range m.patterns {
		if p.matches(sample) {
			return true
		}
	}
	return false
}

func (p matcherPattern) matches(path string) bool {
	if !p.re.MatchString(path) {
		return false
	}
	return p.not == nil || len(path) < p.at || !p.not.MatchString(path[p.at:])
}

// samplePath turns a Next.js route path into one concrete path: each
// dynamic segment becomes "1".
func samplePath(url string) string {
	segs := strings.Split(url, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
			segs[i] = "1"
		}
	}
	return strings.Join(segs, "/")
}

// defaultParam is path-to-regexp's pattern for a parameter without one.
const defaultParam = `[^/#?]+?`

// compileMatcher compiles one matcher source; ok is false for anything it
// cannot read with certainty.
func compileMatcher(src string) (matcherPattern, bool) {
	if !strings.HasPrefix(src, "/") {
		return matcherPattern{}, false // Next.js rejects these
	}
	var (
		re      strings.Builder
		literal = true // nothing but literal text so far
		litLen  int    // bytes of path the literal text matched
		p       matcherPattern
	)
	re.WriteString(`(?i)^`)
	for i := 0; i < len(src); {
		c := src[i]
		var prefix string
		if (c == '/' || c == '.') && i+1 < len(src) && (src[i+1] == ':' || src[i+1] == '(') {
			prefix = string(c) // the delimiter belongs to the parameter
			i++
			c = src[i]
		}
		switch c {
		case ':', '(':
			pattern := defaultParam
			if c == ':' {
				j := i + 1
				for j < len(src) && (isWordByte(src[j])) {
					j++
				}
				if j == i+1 {
					return matcherPattern{}, false
				}
				i = j
				if i < len(src) && src[i] == '(' {
					g, n, ok := group(src[i:])
					if !ok {
						return matcherPattern{}, false
					}
					pattern, i = g, i+n
				}
			} else {
				g, n, ok := group(src[i:])
				if !ok {
					return matcherPattern{}, false
				}
				pattern, i = g, i+n
			}
			if strings.HasPrefix(pattern, "(?!") {
				// a lookahead: only right after literal text, whose
				// length then fixes where it looks
				end, ok := groupEnd(pattern)
				if !ok || !literal || p.not != nil {
					return matcherPattern{}, false
				}
				not, err := regexp.Compile(`(?i)^(?:` + pattern[3:end-1] + `)`)
				if err != nil {
					return matcherPattern{}, false
				}
				p.not, p.at = not, litLen+len(prefix)
				pattern = pattern[end:]
				if pattern == "" {
					pattern = `.*?`
				}
			}
			if strings.Contains(pattern, "(?=") || strings.Contains(pattern, "(?!") || strings.Contains(pattern, "(?<") {
				return matcherPattern{}, false // RE2 has no lookarounds
			}
			mod := byte(0)
			if i < len(src) && (src[i] == '?' || src[i] == '*' || src[i] == '+') {
				mod, i = src[i], i+1
			}
			pre := regexp.QuoteMeta(prefix)
			switch mod {
			case 0:
				re.WriteString(pre + `(?:` + pattern + `)`)
			case '?':
				re.WriteString(`(?:` + pre + `(?:` + pattern + `))?`)
			case '*':
				re.WriteString(`(?:` + pre + `(?:(?:` + pattern + `)(?:` + pre + `(?:` + pattern + `))*))?`)
			case '+':
				re.WriteString(pre + `(?:(?:` + pattern + `)(?:` + pre + `(?:` + pattern + `))*)`)
			}
			literal = false
		case '\\':
			if i+1 >= len(src) {
				return matcherPattern{}, false
			}
			re.WriteString(regexp.QuoteMeta(src[i+1 : i+2]))
			litLen++
			i += 2
		case '{', '}', '*', '+', '?', ')':
			return matcherPattern{}, false // groups and modifiers without a parameter
		default:
			re.WriteString(regexp.QuoteMeta(src[i : i+1]))
			litLen++
			i++
		}
	}
	re.WriteString(`[/#?]?$`) // non-strict: an optional trailing delimiter
	r, err := regexp.Compile(re.String())
	if err != nil {
		return matcherPattern{}, false
	}
	p.re = r
	return p, true
}

func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// group reads a balanced "(…)" at the start of s: its content and the
// bytes it spans.
func group(s string) (string, int, bool) {
	end, ok := groupEnd(s)
	if !ok {
		return "", 0, false
	}
	return s[1 : end-1], end, true
}

// groupEnd is the end (exclusive) of the balanced group opening s.
func groupEnd(s string) (int, bool) {
	if s == "" || s[0] != '(' {
		return 0, false
	}
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i + 1, true
			}
		}
	}
	return 0, false
}

// readNextMatcher finds `export const config = { matcher: … }` in a
// middleware file; nil when there is none or it cannot be read.
func (j *jsFile) readNextMatcher(root node) *nextMatcher {
	for _, st := range root.NamedChildren() {
		if st.Kind() != "export_statement" {
			continue
		}
		decl := st.Field("declaration")
		if decl.Kind() != "lexical_declaration" {
			continue
		}
		for _, d := range decl.NamedChildren() {
			if d.Kind() != "variable_declarator" || d.Field("name").Text() != "config" {
				continue
			}
			v, ok := jsProps(unwrapTS(d.Field("value")))["matcher"]
			if !ok {
				return nil
			}
			return j.matcherOf(unwrapTS(j.deref(v)))
		}
	}
	return nil
}

// unwrapTS strips `x satisfies T`, `x as T` and parentheses.
func unwrapTS(n node) node {
	for {
		switch n.Kind() {
		case "satisfies_expression", "as_expression", "parenthesized_expression":
			n = n.NamedChild(0)
		default:
			return n
		}
	}
}

// matcherOf compiles a matcher value: a string, or an array of strings and
// { source } objects.
func (j *jsFile) matcherOf(v node) *nextMatcher {
	var items []node
	switch v.Kind() {
	case "array":
		items = v.NamedChildren()
	default:
		items = []node{v}
	}
	m := &nextMatcher{}
	for _, it := range items {
		it = unwrapTS(j.deref(it))
		if it.Kind() == "object" {
			it = jsProps(it)["source"]
		}
		src, ok := jsStrUnescaped(it)
		if !ok {
			return nil
		}
		p, ok := compileMatcher(src)
		if !ok {
			return nil
		}
		m.patterns = append(m.patterns, p)
	}
	if len(m.patterns) == 0 {
		return nil
	}
	return m
}

// jsStrUnescaped is a string literal's value with its escapes resolved
// ('\\.' is "\."), as a matcher's regular expressions need.
func jsStrUnescaped(n node) (string, bool) {
	if n.Kind() != "string" && n.Kind() != "template_string" {
		return "", false
	}
	var b strings.Builder
	for _, c := range n.NamedChildren() {
		switch c.Kind() {
		case "string_fragment":
			b.WriteString(c.Text())
		case "escape_sequence":
			b.WriteString(strings.TrimPrefix(c.Text(), `\`))
		default:
			return "", false
		}
	}
	return b.String(), true
}

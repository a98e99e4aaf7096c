package auth

import (
	"regexp"
	"strings"
)

// Clerk's clerkMiddleware() (v5 and later) protects no route by itself:
// every route stays public until the middleware's handler calls
// auth.protect() (or redirects to sign-in), usually for the routes a
// createRouteMatcher([...]) matches, or for all but the public ones:
//
//	const isProtected = createRouteMatcher(['/dashboard(.*)', '/api/admin(.*)'])
//	export default clerkMiddleware(async (auth, req) => {
//	  if (isProtected(req)) await auth.protect()
//	})
//
// clerkGuard reads that shape from the middleware's source. Route matcher
// patterns are path-to-regexp patterns, as Next.js matchers are. What it
// cannot read (several conditions, a matcher built at run time) counts as
// protecting every route the config.matcher covers: towards no false
// positive.

// clerkGuard is the part of the matched routes a clerkMiddleware protects.
type clerkGuard struct {
	none    bool         // clerkMiddleware() without a handler that protects
	matcher *nextMatcher // nil: every route
	negate  bool         // every route but the matcher's
}

func (g *clerkGuard) covers(url string) bool {
	switch {
	case g == nil:
		return true
	case g.none:
		return false
	case g.matcher == nil:
		return true
	}
	return g.matcher.covers(url) != g.negate
}

var (
	clerkCallRE    = regexp.MustCompile(`\bclerkMiddleware\(\s*(?:async\b\s*)?(\(|function\b|\w+\s*=>)?`)
	clerkProtectRE = regexp.MustCompile(`\.protect\(|\bredirectToSignIn\(`)
	clerkMatcherRE = regexp.MustCompile(`\b(?:const|let|var)\s+(\w+)\s*=\s*createRouteMatcher\(\s*\[([^\]]*)\]\s*\)`)
	clerkIfRE      = regexp.MustCompile(`\bif\s*\(`)
	clerkTermRE    = regexp.MustCompile(`^(!?)\s*(\w+)\(\s*\w+\s*\)$`)
	jsStringLitRE  = regexp.MustCompile("'((?:[^'\\\\]|\\\\.)*)'|\"((?:[^\"\\\\]|\\\\.)*)\"|`([^`$]*)`")
)

// clerkGuardOf reads a middleware's clerkMiddleware call; nil when it has
// none (or uses another library).
func clerkGuardOf(src string) *clerkGuard {
	m := clerkCallRE.FindStringSubmatch(src)
	if m == nil {
		return nil
	}
	if m[1] == "" || !clerkProtectRE.MatchString(src) {
		return &clerkGuard{none: true} // no handler, or one that never protects
	}
	matchers := map[string]*nextMatcher{}
	for _, d := range clerkMatcherRE.FindAllStringSubmatch(src, -1) {
		nm := &nextMatcher{}
		if strings.Trim(jsStringLitRE.ReplaceAllString(d[2], ""), ", \t\r\n") != "" {
			matchers[d[1]] = nil // a regular expression or a name: unread
			continue
		}
		for _, s := range jsStringLitRE.FindAllStringSubmatch(d[2], -1) {
			p, ok := compileMatcher(unescapeJS(s[1] + s[2] + s[3]))
			if !ok {
				nm = nil
				break
			}
			nm.patterns = append(nm.patterns, p)
		}
		matchers[d[1]] = nm
	}
	var conds []clerkCondition
	for _, at := range clerkIfRE.FindAllStringIndex(src, -1) {
		conds = append(conds, matcherTests(src, at[1]-1, matchers)...)
	}
	if len(conds) != 1 {
		return &clerkGuard{} // unconditional, or more than one condition: every route
	}
	c := conds[0]
	nm := matchers[c.name]
	if nm == nil || len(nm.patterns) == 0 {
		return &clerkGuard{}
	}
	negate := c.negated // if (!isPublic(req))
	if c.alone && returnsUnprotected(src[c.end:]) {
		// if (isPublic(req)) return NextResponse.next(); await auth.protect():
		// the routes the condition matches leave before the protection
		negate = !negate
	}
	return &clerkGuard{matcher: nm, negate: negate}
}

// clerkCondition is a route matcher's test in an if condition.
type clerkCondition struct {
	name    string // the matcher
	negated bool   // !isPublic(req)
	alone   bool   // the whole condition
	end     int    // offset after the condition's closing parenthesis
}

// matcherTests reads the if condition whose "(" is at open: the route
// matchers it calls, as terms joined by && or || (`!userId &&
// isProtected(req)`, Clerk's documented form, tests the matcher as much as
// `isProtected(req)` alone).
func matcherTests(src string, open int, matchers map[string]*nextMatcher) []clerkCondition {
	end, ok := groupEnd(src[open:])
	if !ok {
		return nil
	}
	cond := src[open+1 : open+end-1]
	terms := strings.FieldsFunc(strings.NewReplacer("&&", "\x00", "||", "\x00").Replace(cond), func(r rune) bool { return r == 0 })
	var out []clerkCondition
	for _, t := range terms {
		m := clerkTermRE.FindStringSubmatch(strings.TrimSpace(t))
		if m == nil {
			continue
		}
		if _, ok := matchers[m[2]]; ok {
			out = append(out, clerkCondition{name: m[2], negated: m[1] != "", alone: len(terms) == 1, end: open + end})
		}
	}
	return out
}

// returnsUnprotected: the statement an if runs (after its condition) is a
// return that neither protects nor redirects to sign-in.
func returnsUnprotected(after string) bool {
	after = strings.TrimLeft(after, " \t\r\n")
	after = strings.TrimLeft(strings.TrimPrefix(after, "{"), " \t\r\n")
	rest, ok := strings.CutPrefix(after, "return")
	if !ok || rest != "" && isWordByte(rest[0]) {
		return false
	}
	stmt := rest
	if i := strings.IndexAny(stmt, ";\n}"); i >= 0 {
		stmt = stmt[:i]
	}
	return !clerkProtectRE.MatchString(stmt)
}

// unescapeJS resolves a string literal's backslash escapes as a
// path-to-regexp pattern needs them ('\\d' is "\d").
func unescapeJS(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

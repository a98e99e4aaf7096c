package testquality

import (
	"regexp"
	"unicode/utf8"

	"github.com/vigil-proxy/vigil-proxy/scanner/prefilter"
)

// guardedRE is a case-insensitive regexp with a cheap exact pre-test: every
// match of re contains one of words, so a text holding none of them cannot
// match and the regexp is not run (the regexps run on every test name,
// call and comment; on the Python standard library they were 6 % of a
// scan's CPU). The pre-test is used on ASCII text only: (?i) also folds
// "ſ" (U+017F) to s and "K" (U+212A) to k, which the word test does not.
type guardedRE struct {
	re    *regexp.Regexp
	words *prefilter.Words
}

func guarded(pattern string, words ...string) *guardedRE {
	return &guardedRE{re: regexp.MustCompile(pattern), words: prefilter.New(words...)}
}

// MatchString reports whether s matches the regexp.
func (g *guardedRE) MatchString(s string) bool {
	if isASCII(s) && !g.words.InString(s) {
		return false
	}
	return g.re.MatchString(s)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

package secrets

import (
	"bytes"

	"github.com/vigil-proxy/vigil-proxy/scanner/prefilter"
	"github.com/vigil-proxy/vigil-proxy/scanner/treesitter"
)

// mayHoldSecret is the cheap test that decides whether a code file is worth
// parsing for the SEC rules. It must answer true for every file in which
// the tree walk can raise a finding, so it reads the bytes the way the
// rules read names:
//
//   - every finding in code needs a secret-bearing name (classifyName is
//     not notSecret), a URL with an inline password, or a secret sink
//     (hmac, Fernet, jwt-simple, Stripe);
//   - classifyName only looks at words as nameWords splits them (camelCase,
//     snake_case, digits, punctuation), and a name starts and ends at such
//     a split, so splitting the whole file the same way — and at every
//     non-ASCII byte too, which only splits more — yields every word any
//     name in it can end with, and the word before it;
//   - a word is a reason to parse when classifyName could call a name
//     ending in it a secret: a strong or weak word, or "key" after a word
//     that qualifies it. Looking at every word rather than last words, and
//     ignoring the leading-flag and trailing-neutral rules, answers true
//     more often than needed, never less.
//
// Python's `pass` statement is the one exception: the keyword cannot be a
// name, and it is in most Python files.
func mayHoldSecret(lang treesitter.Lang, b []byte) bool {
	if bytes.Contains(b, kelvinSign) {
		return true // nameWords lower-cases K (Kelvin) to an ASCII k
	}
	if mayHoldConnString(b) || sinkWords.In(b) {
		return true
	}
	var prev, low [16]byte
	pn := -1 // length of the previous word; -1 when it is none that qualifies "key"
	found := false
	eachWord(b, func(start, end int) bool {
		w := b[start:end]
		first := prefilter.Lower(w[0])
		// Most words start with a letter no secret word or qualifier
		// starts with: no copy, no lookup.
		if len(w) > len(low) || !candidateFirst[first] && !keyQualifierFirst[first] {
			pn = -1
			return true
		}
		for i, c := range w {
			low[i] = prefilter.Lower(c)
		}
		word := string(low[:len(w)]) // no allocation: only compared
		var p []byte                 // the previous word, when it may qualify "key"
		if pn >= 0 {
			p = prev[:pn]
		}
		if candidateFirst[first] && secretWord(word, p) && !(lang == treesitter.Python && word == "pass" && pythonPassStatement(b, start, end)) {
			found = true
			return false
		}
		pn = copy(prev[:], low[:len(w)])
		return true
	})
	return found
}

var kelvinSign = []byte("\u212a")

// candidateFirst and keyQualifierFirst mark the first letters of the words
// secretWord accepts and of the words that qualify "key": a word starting
// otherwise needs no map lookup.
var candidateFirst, keyQualifierFirst = func() (c, q [256]bool) {
	for w := range strongWords {
		c[w[0]] = true
	}
	for w := range weakWords {
		c[w[0]] = true
	}
	c['k'], c['t'] = true, true
	for w := range keyQualify {
		q[w[0]] = true
	}
	return c, q
}()

// sinkWords name the secret sinks the code rules judge by callee.
var sinkWords = prefilter.New("hmac", "fernet", "jwt", "stripe")

// secretWord: a name ending in word (after prev) may be a secret by
// classifyName.
func secretWord(word string, prev []byte) bool {
	switch {
	case strongWords[word], weakWords[word]:
		return true
	case word == "key":
		return keyQualify[string(prev)]
	case word == "token":
		return true
	}
	return false
}

// pythonPassStatement: the "pass" at b[start:end] is the statement, not a
// name — it stands alone between blanks, a colon or a semicolon, and the
// end of the line or a comment.
func pythonPassStatement(b []byte, start, end int) bool {
	i := start - 1
	for i >= 0 && (b[i] == ' ' || b[i] == '\t') {
		i--
	}
	if i >= 0 && b[i] != '\n' && b[i] != '\r' && b[i] != ':' && b[i] != ';' {
		return false
	}
	j := end
	for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
		j++
	}
	return j == len(b) || b[j] == '\n' || b[j] == '\r' || b[j] == '#' || b[j] == ';'
}

// mayHoldConnString: b holds "scheme://user:password@" in the shape connRE
// finds (an empty user allowed).
func mayHoldConnString(b []byte) bool {
	for {
		i := bytes.Index(b, []byte("://"))
		if i < 0 {
			return false
		}
		b = b[i+3:]
		j := 0
		for j < len(b) && !bytes.ContainsRune([]byte(" \t\r\n\f\v:/?#@\"'<>"), rune(b[j])) {
			j++
		}
		if j < len(b) && b[j] == ':' {
			k := j + 1
			for k < len(b) && !bytes.ContainsRune([]byte(" \t\r\n\f\v@/\"'<>"), rune(b[k])) {
				k++
			}
			if k > j+1 && k < len(b) && b[k] == '@' {
				return true
			}
		}
	}
}

// eachWord calls fn with the bounds of every word of b as nameWords splits
// names — runs of ASCII letters and digits, split between a lower-case and
// an upper-case letter, before the last capital of a run of capitals
// followed by a lower-case letter (APIKey: API, Key), and between letters
// and digits; every other byte (non-ASCII included) separates. fn returns
// false to stop.
func eachWord(b []byte, fn func(start, end int) bool) {
	start := -1
	last := kindOther // the kind of b[i-1]
	for i := 0; i <= len(b); i++ {
		k := kindOther
		if i < len(b) {
			k = byteKinds[b[i]]
		}
		if start >= 0 {
			split := k == kindOther
			if !split {
				switch {
				case (k == kindDigit) != (last == kindDigit):
					split = true
				case k == kindUpper && last == kindLower:
					split = true
				case k == kindUpper && last == kindUpper && i+1 < len(b) && byteKinds[b[i+1]] == kindLower:
					split = true
				}
			}
			if split {
				if !fn(start, i) {
					return
				}
				start = -1
			}
		}
		if start < 0 && k != kindOther {
			start = i
		}
		last = k
	}
}

const (
	kindOther uint8 = iota
	kindLower
	kindUpper
	kindDigit
)

// byteKinds is byteKind as a table: eachWord looks up every byte of every
// code file.
var byteKinds = func() (t [256]uint8) {
	for c := range t {
		t[c] = byteKind(byte(c))
	}
	return t
}()

func byteKind(c byte) uint8 {
	switch {
	case 'a' <= c && c <= 'z':
		return kindLower
	case 'A' <= c && c <= 'Z':
		return kindUpper
	case '0' <= c && c <= '9':
		return kindDigit
	}
	return kindOther
}

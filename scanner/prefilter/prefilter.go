// Package prefilter answers, in one pass over a file's bytes, whether the
// file holds any of a set of words, ignoring case: the cheap test analyzers
// use to decide that a file is not worth parsing or walking.
//
// The answer is exactly that of lower-casing the file with bytes.ToLower and
// looking for each word with bytes.Contains, without the copy and without
// one pass per word.
package prefilter

import (
	"bytes"
	"strings"
)

// Words is a set of words to look for; build it with New and share it
// freely (it is read-only).
type Words struct {
	words [][]byte // lower-cased
	// single marks the one-byte words; pairs is a bit set of the
	// lower-cased first two bytes of the longer ones: a position whose two
	// bytes are not in it starts no word, which skips almost every byte.
	single [256]bool
	pairs  [1 << 16 / 64]uint64
	// byFirst lists, per lower-cased first byte, the indices of the words
	// starting with it.
	byFirst [256][]int
}

// New builds a set from words, matched case-insensitively. Every word must
// be ASCII and non-empty (New panics otherwise: the sets are program
// constants).
func New(words ...string) *Words {
	w := &Words{}
	for _, s := range words {
		if s == "" {
			panic("prefilter: empty word")
		}
		b := []byte(s)
		for i, c := range b {
			if c >= 0x80 {
				panic("prefilter: non-ASCII word " + s)
			}
			b[i] = lower[c]
		}
		if len(b) == 1 {
			w.single[b[0]] = true
		} else {
			k := pairKey(b[0], b[1])
			w.pairs[k/64] |= 1 << (k % 64)
		}
		w.byFirst[b[0]] = append(w.byFirst[b[0]], len(w.words))
		w.words = append(w.words, b)
	}
	return w
}

// In reports whether b holds any of the words, ignoring case.
func (w *Words) In(b []byte) bool {
	if foldsToASCII(b) {
		// Rare: a non-ASCII letter whose lower case is an ASCII one.
		return w.inLowered(bytes.ToLower(b))
	}
	return in(w, b)
}

// InString is In for a string (without copying it).
func (w *Words) InString(s string) bool {
	if strings.Contains(s, string(kelvin)) || strings.Contains(s, string(dottedI)) {
		return w.inLowered([]byte(strings.ToLower(s)))
	}
	return in(w, s)
}

func (w *Words) inLowered(low []byte) bool {
	for _, word := range w.words {
		if bytes.Contains(low, word) {
			return true
		}
	}
	return false
}

func in[T string | []byte](w *Words, b T) bool {
	for i := 0; i < len(b); i++ {
		c := lower[b[i]]
		if w.single[c] {
			return true
		}
		if i+1 == len(b) {
			break
		}
		if k := pairKey(c, lower[b[i+1]]); w.pairs[k/64]&(1<<(k%64)) == 0 {
			continue
		}
		for _, k := range w.byFirst[c] {
			if hasPrefixFold(b[i:], w.words[k]) {
				return true
			}
		}
	}
	return false
}

func pairKey(a, b byte) uint32 { return uint32(a)<<8 | uint32(b) }

// hasPrefixFold: b starts with word (lower-case ASCII), ignoring case.
func hasPrefixFold[T string | []byte](b T, word []byte) bool {
	if len(b) < len(word) {
		return false
	}
	for i, c := range word {
		if lower[b[i]] != c {
			return false
		}
	}
	return true
}

// kelvin and dottedI are the only runes that unicode.ToLower maps to ASCII
// letters (K → k, İ → i): bytes.ToLower would turn them into letters of a
// word.
var (
	kelvin  = []byte("\u212a")
	dottedI = []byte("\u0130")
)

func foldsToASCII(b []byte) bool {
	return bytes.Contains(b, kelvin) || bytes.Contains(b, dottedI)
}

// lower maps ASCII upper-case letters to lower case and every other byte to
// itself.
var lower = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if 'A' <= i && i <= 'Z' {
			t[i] = byte(i + 'a' - 'A')
		}
	}
	return t
}()

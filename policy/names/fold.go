package names

import (
	"strings"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// maxName is the longest name the index considers (npm allows 214 bytes).
const maxName = 256

// Normalize returns the canonical form of a name: PEP 503 for PyPI
// (lower-case, runs of "-", "_", "." become "-"), lower-case for npm. It
// allocates; the index uses normalizeInto on a stack buffer instead.
func Normalize(eco policy.Ecosystem, name string) string {
	var buf [maxName]byte
	n, ok := normalizeInto(buf[:], eco, name)
	if !ok {
		return strings.ToLower(strings.TrimSpace(name))
	}
	return string(buf[:n])
}

func isSep(c byte) bool { return c == '-' || c == '_' || c == '.' }

// normalizeInto writes the canonical form of name into dst. ok is false
// when the name is empty, too long or contains bytes no registry accepts.
func normalizeInto(dst []byte, eco policy.Ecosystem, name string) (int, bool) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > len(dst) {
		return 0, false
	}
	n := 0
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case isSep(c):
			if eco == policy.PyPI {
				if n > 0 && dst[n-1] == '-' {
					continue
				}
				c = '-'
			}
		case c == '@' || c == '/' || c == '~' || c == '!' || c == '*' || c == '\'' || c == '(' || c == ')':
			if eco == policy.PyPI {
				return 0, false
			}
		default:
			return 0, false
		}
		dst[n] = c
		n++
	}
	return n, n > 0
}

// foldByte maps look-alike characters onto one representative.
func foldByte(c byte) byte {
	switch c {
	case 'i', '1', '!', '|':
		return 'l'
	case '0':
		return 'o'
	}
	return c
}

// foldInto writes the folded ("ultranormalised") form of a normalized name:
// separators and "@" dropped, l/i/1 and o/0 unified, "rn" read as "m" and
// "vv" as "w". An npm scope keeps its "/" so scope and name stay apart.
func foldInto(dst []byte, norm []byte) int { return foldWith(dst, norm, true) }

// lightFoldInto folds like foldInto but keeps "rn" and "vv": edit distances
// are measured on this form, so that a transposition next to an "r" or "v"
// stays one edit.
func lightFoldInto(dst []byte, norm []byte) int { return foldWith(dst, norm, false) }

func foldWith(dst []byte, norm []byte, digraphs bool) int {
	n := 0
	for _, c := range norm {
		if isSep(c) || c == '@' {
			continue
		}
		c = foldByte(c)
		if n > 0 && digraphs {
			switch {
			case c == 'n' && dst[n-1] == 'r':
				dst[n-1] = 'm'
				continue
			case c == 'v' && dst[n-1] == 'v':
				dst[n-1] = 'w'
				continue
			}
		}
		if n == len(dst) {
			break
		}
		dst[n] = c
		n++
	}
	return n
}

// stripInto writes norm without separators and "@" (no homoglyph folding):
// it tells a separator change from a homoglyph one.
func stripInto(dst []byte, norm []byte) int {
	n := 0
	for _, c := range norm {
		if isSep(c) || c == '@' {
			continue
		}
		dst[n] = c
		n++
	}
	return n
}

// splitScope splits "@scope/name" into scope and name; scope is empty for
// unscoped names.
func splitScope(norm []byte) (scope, name []byte) {
	if len(norm) > 0 && norm[0] == '@' {
		for i := 1; i < len(norm); i++ {
			if norm[i] == '/' {
				return norm[1:i], norm[i+1:]
			}
		}
	}
	return nil, norm
}

func scopeOf(name string) string {
	if strings.HasPrefix(name, "@") {
		if i := strings.IndexByte(name, '/'); i > 0 {
			return name[1:i]
		}
	}
	return ""
}

// Hashing: a polynomial hash over bytes (mod 2^64), finalised by a mixer
// with a per-key-kind seed. Prefix hashes let the index hash every one- and
// two-character deletion of a name in O(1) each.
const hashBase = 0x100000001b3

// Key kinds, mixed into the hash so one table serves every family.
const (
	kindDel uint64 = iota + 1
	kindFold
	kindReorder
	kindAffixDrop
	kindScopeConcat
	kindFirstToken
	kindName    // a canonical name (popularity lookup)
	kindStemDel // deletions of a target's name without its ecosystem affix
	kindBaseDel // deletions of a scoped target's name part
	kindTrunc   // a long target's light fold less its last two characters
	kindScope   // an npm scope holding a popular package (see ownedScope)
	kindWord    // a word of corpus names; the value counts the names (see wordCount)
)

// firstTokenKey hashes a name's scope and first word ("flask" for
// "flask-cors", "babel/core" for "@babel/core-utils"); Suggest uses it to
// propose relatives of names that are too far from anything by edits.
func firstTokenKey(buf []byte, norm []byte) (uint64, bool) {
	scope, name := splitScope(norm)
	n := foldInto(buf, scope)
	if scope != nil {
		buf[n] = '/'
		n++
	}
	end := 0
	for end < len(name) && !isSep(name[end]) {
		end++
	}
	l := foldInto(buf[n:], name[:end])
	if l < 3 {
		return 0, false
	}
	return hashBytes(kindFirstToken, buf[:n+l]), true
}

func mix(h, kind, n uint64) uint64 {
	h ^= kind*0x9e3779b97f4a7c15 ^ n*0xbf58476d1ce4e5b9
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

func hashBytes(kind uint64, b []byte) uint64 {
	var h uint64
	for _, c := range b {
		h = h*hashBase + uint64(c) + 1
	}
	return mix(h, kind, uint64(len(b)))
}

// deletions holds prefix hashes of one string for deletion hashing.
type deletions struct {
	n   int
	pre [maxName + 1]uint64
	pw  [maxName + 1]uint64
}

func (d *deletions) reset(s []byte) {
	d.n = len(s)
	d.pre[0], d.pw[0] = 0, 1
	for i, c := range s {
		d.pre[i+1] = d.pre[i]*hashBase + uint64(c) + 1
		d.pw[i+1] = d.pw[i] * hashBase
	}
}

func (d *deletions) seg(l, r int) uint64 { return d.pre[r] - d.pre[l]*d.pw[r-l] }

func (d *deletions) whole() uint64 { return mix(d.pre[d.n], kindDel, uint64(d.n)) }

// del1 hashes the string without byte i.
func (d *deletions) del1(i int) uint64 {
	h := d.pre[i]*d.pw[d.n-i-1] + d.seg(i+1, d.n)
	return mix(h, kindDel, uint64(d.n-1))
}

// delRun hashes the string without the k bytes from i.
func (d *deletions) delRun(i, k int) uint64 {
	h := d.pre[i]*d.pw[d.n-i-k] + d.seg(i+k, d.n)
	return mix(h, kindDel, uint64(d.n-k))
}

// del2 hashes the string without bytes i < j.
func (d *deletions) del2(i, j int) uint64 {
	h := d.pre[i]*d.pw[d.n-i-2] + d.seg(i+1, j)*d.pw[d.n-j-1] + d.seg(j+1, d.n)
	return mix(h, kindDel, uint64(d.n-2))
}

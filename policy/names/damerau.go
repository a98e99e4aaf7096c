package names

// maxDistLen bounds the names compared by edit distance; longer names get
// only the exact-match families.
const maxDistLen = 64

// osa returns the optimal-string-alignment (restricted Damerau-Levenshtein)
// distance between a and b, or limit+1 when it exceeds limit. It uses fixed
// stack buffers and does not allocate.
func osa[A, B ~string | ~[]byte](a A, b B, limit int) int {
	if len(a) > maxDistLen || len(b) > maxDistLen {
		return limit + 1
	}
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	var r0, r1, r2 [maxDistLen + 1]int
	prev2, prev, cur := &r0, &r1, &r2
	for j := 0; j <= len(b); j++ {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	if prev[len(b)] > limit {
		return limit + 1
	}
	return prev[len(b)]
}

// editFamily names the single edit turning target into cand (distance 1).
func editFamily[A, B ~string | ~[]byte](cand A, target B) uint8 {
	switch {
	case len(cand) == len(target):
		i := 0
		for i < len(cand) && cand[i] == target[i] {
			i++
		}
		if i+1 < len(cand) && cand[i] == target[i+1] && cand[i+1] == target[i] {
			return famTransposition
		}
		return famSubstitution
	case len(cand) > len(target):
		i := 0
		for i < len(target) && cand[i] == target[i] {
			i++
		}
		if (i > 0 && cand[i] == cand[i-1]) || (i+1 < len(cand) && cand[i] == cand[i+1]) {
			return famRepetition
		}
		return famInsertion
	default:
		return famOmission
	}
}

// EditDistance is the restricted Damerau-Levenshtein distance between two
// names after lower-casing and folding look-alike characters and separators
// (the form the index compares), capped at 3.
func EditDistance(a, b string) int {
	var na, nb, fa, fb [maxName]byte
	la, oka := normalizeInto(na[:], "", a)
	lb, okb := normalizeInto(nb[:], "", b)
	if !oka || !okb {
		return 3
	}
	return osa(fa[:lightFoldInto(fa[:], na[:la])], fb[:lightFoldInto(fb[:], nb[:lb])], 2)
}

// keyboardRows is the QWERTY layout the slip model uses.
const keyboardRows = "1234567890\nqwertyuiop\nasdfghjkl\nzxcvbnm"

// keyAdjacent reports whether a and b are neighbouring keys (same row or
// the rows above and below). Folded look-alikes stand for every character
// they fold ("l" for l, i and 1; "o" for o and 0).
func keyAdjacent(a, b byte) bool {
	va, vb := foldVariants(a), foldVariants(b)
	for i := 0; i < len(va); i++ {
		for j := 0; j < len(vb); j++ {
			if adjacentKeys(va[i], vb[j]) {
				return true
			}
		}
	}
	return false
}

func foldVariants(c byte) string {
	switch c {
	case 'l':
		return "li"
	}
	for i := 0; i < len(keyboardRows); i++ {
		if keyboardRows[i] == c {
			return keyboardRows[i : i+1]
		}
	}
	return ""
}

// keyPos returns the row and column of c, ok false off the layout.
func keyPos(c byte) (row, col int, ok bool) {
	r, start := 0, 0
	for i := 0; i < len(keyboardRows); i++ {
		switch keyboardRows[i] {
		case '\n':
			r, start = r+1, i+1
		case c:
			return r, i - start, true
		}
	}
	return 0, 0, false
}

func adjacentKeys(x, y byte) bool {
	rx, cx, okx := keyPos(x)
	ry, cy, oky := keyPos(y)
	if !okx || !oky || x == y {
		return false
	}
	dr, dc := rx-ry, cx-cy
	return dr >= -1 && dr <= 1 && dc >= -1 && dc <= 1
}

// slipEdit reports whether the single edit turning target into cand is a
// plausible slip of the fingers: a transposition, a doubled or dropped
// letter, or a neighbouring key pressed instead of or next to the right
// one. Other single edits ("mocker" for "docker") are as often names in
// their own right, so they only warn.
func slipEdit[A, B ~string | ~[]byte](cand A, target B, fam uint8) bool {
	switch fam {
	case famTransposition, famRepetition:
		return true
	case famOmission:
		// a dropped digit is a different name ("json-csv" and "json2csv"
		// spell "to" two ways), not a slip of the fingers
		i := 0
		for i < len(cand) && cand[i] == target[i] {
			i++
		}
		return target[i] < '0' || target[i] > '9'
	case famSubstitution:
		for i := 0; i < len(cand) && i < len(target); i++ {
			if cand[i] != target[i] {
				return keyAdjacent(cand[i], target[i])
			}
		}
	case famInsertion:
		i := 0
		for i < len(target) && cand[i] == target[i] {
			i++
		}
		c := cand[i]
		return (i > 0 && keyAdjacent(c, cand[i-1])) || (i+1 < len(cand) && keyAdjacent(c, cand[i+1]))
	}
	return false
}

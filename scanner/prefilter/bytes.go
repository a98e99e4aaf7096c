package prefilter

// Byte tests the analyzers' own cheap filters share.

// Lower maps an ASCII upper-case letter to lower case and every other byte
// to itself.
func Lower(c byte) byte { return lower[c] }

// IsIdentByte reports whether c can be part of a Python or JavaScript
// identifier: ASCII letters, digits, _ and $, and every non-ASCII byte
// (identifiers may hold letters of any script).
func IsIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// IndexFold is bytes.Index ignoring ASCII case; w must be lower-case ASCII.
func IndexFold(b []byte, w string) int {
	for i := 0; i+len(w) <= len(b); i++ {
		j := 0
		for j < len(w) && lower[b[i+j]] == w[j] {
			j++
		}
		if j == len(w) {
			return i
		}
	}
	return -1
}

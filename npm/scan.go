package npm

import (
	"encoding/json"
	"errors"
	"fmt"
)

// This file holds a small strict JSON scanner over a byte slice. It never
// copies the document: it reports byte offsets, which lets the packument
// parser extract a few facts and the filter copy every untouched value
// byte-for-byte. It validates the grammar as strictly as encoding/json
// (except UTF-8, which encoding/json does not check either), so a document the
// scanner accepts is valid JSON.

// maxDepth bounds nesting, like encoding/json.
const maxDepth = 10000

var errDepth = errors.New("json nested too deeply")

// syntaxError describes malformed JSON at a byte offset.
type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("invalid json at offset %d: %s", e.off, e.msg)
}

func errAt(off int, msg string) error { return &syntaxError{off: off, msg: msg} }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipSpace returns the index of the first non-space byte at or after i.
func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// scanString expects b[i] == '"' and returns the index just past the closing
// quote and whether the string contains escapes.
func scanString(b []byte, i int) (end int, escaped bool, err error) {
	if i >= len(b) || b[i] != '"' {
		return 0, false, errAt(i, "expected string")
	}
	i++
	for i < len(b) {
		// Fast path over plain characters.
		for i < len(b) && b[i] >= 0x20 && b[i] != '"' && b[i] != '\\' {
			i++
		}
		if i >= len(b) {
			break
		}
		c := b[i]
		switch {
		case c == '"':
			return i + 1, escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(b) {
				return 0, false, errAt(i, "unterminated escape")
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) {
					return 0, false, errAt(i, "short unicode escape")
				}
				for _, h := range b[i+2 : i+6] {
					if !isHex(h) {
						return 0, false, errAt(i, "bad unicode escape")
					}
				}
				i += 6
			default:
				return 0, false, errAt(i, "bad escape")
			}
		case c < 0x20:
			return 0, false, errAt(i, "control character in string")
		default:
			i++
		}
	}
	return 0, false, errAt(i, "unterminated string")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// scanNumber validates a JSON number starting at i and returns its end.
func scanNumber(b []byte, i int) (int, error) {
	start := i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	default:
		return 0, errAt(start, "bad number")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			return 0, errAt(start, "bad number fraction")
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return 0, errAt(start, "bad number exponent")
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	return i, nil
}

// skipValue validates the JSON value starting exactly at i (no leading space)
// and returns the index just past it.
func skipValue(b []byte, i, depth int) (int, error) {
	if i >= len(b) {
		return 0, errAt(i, "unexpected end of input")
	}
	switch c := b[i]; {
	case c == '"':
		end, _, err := scanString(b, i)
		return end, err
	case c == '{':
		return walkObject(b, i, depth, nil)
	case c == '[':
		return skipArray(b, i, depth)
	case c == '-' || isDigit(c):
		return scanNumber(b, i)
	case c == 't':
		return literal(b, i, "true")
	case c == 'f':
		return literal(b, i, "false")
	case c == 'n':
		return literal(b, i, "null")
	}
	return 0, errAt(i, "unexpected character")
}

func literal(b []byte, i int, lit string) (int, error) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return 0, errAt(i, "bad literal")
	}
	return i + len(lit), nil
}

func skipArray(b []byte, i, depth int) (int, error) {
	if depth >= maxDepth {
		return 0, errDepth
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, nil
	}
	for {
		end, err := skipValue(b, i, depth+1)
		if err != nil {
			return 0, err
		}
		i = skipSpace(b, end)
		if i >= len(b) {
			return 0, errAt(i, "unterminated array")
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case ']':
			return i + 1, nil
		default:
			return 0, errAt(i, "expected , or ] in array")
		}
	}
}

// member is one "key": value pair of an object, as byte offsets into the
// document. b[KeyStart:KeyEnd] is the quoted key; b[ValStart:ValEnd] the value.
type member struct {
	KeyStart, KeyEnd int
	ValStart, ValEnd int
	escaped          bool
}

// key returns the member's decoded key.
func (m member) key(b []byte) (string, error) {
	return decodeString(b[m.KeyStart:m.KeyEnd], m.escaped)
}

// eq compares bytes with a string without converting either (conversions
// allocate in race-instrumented builds).
func eq(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		if b[i] != s[i] {
			return false
		}
	}
	return true
}

// keyIs reports whether the member's key equals k. Escaped keys are decoded.
func (m member) keyIs(b []byte, k string) bool {
	if !m.escaped {
		return eq(b[m.KeyStart+1:m.KeyEnd-1], k)
	}
	s, err := m.key(b)
	return err == nil && s == k
}

// walkObject validates the object starting at b[i] == '{' and calls fn for
// each member in document order (fn may be nil). It returns the index just
// past the closing brace. An error returned by fn stops the walk.
func walkObject(b []byte, i, depth int, fn func(m member) error) (int, error) {
	if i >= len(b) || b[i] != '{' {
		return 0, errAt(i, "expected object")
	}
	if depth >= maxDepth {
		return 0, errDepth
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		var m member
		var err error
		m.KeyStart = i
		m.KeyEnd, m.escaped, err = scanString(b, i)
		if err != nil {
			return 0, err
		}
		i = skipSpace(b, m.KeyEnd)
		if i >= len(b) || b[i] != ':' {
			return 0, errAt(i, "expected : after object key")
		}
		m.ValStart = skipSpace(b, i+1)
		m.ValEnd, err = skipValue(b, m.ValStart, depth+1)
		if err != nil {
			return 0, err
		}
		if fn != nil {
			if err := fn(m); err != nil {
				return 0, err
			}
		}
		i = skipSpace(b, m.ValEnd)
		if i >= len(b) {
			return 0, errAt(i, "unterminated object")
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return i + 1, nil
		default:
			return 0, errAt(i, "expected , or } in object")
		}
	}
}

// walkDocument validates that b is exactly one JSON object (surrounded by
// optional space) and walks its members.
func walkDocument(b []byte, fn func(m member) error) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errAt(i, "document is not a JSON object")
	}
	end, err := walkObject(b, i, 0, fn)
	if err != nil {
		return err
	}
	if j := skipSpace(b, end); j != len(b) {
		return errAt(j, "trailing data after document")
	}
	return nil
}

// decodeString decodes a quoted JSON string already validated by scanString.
func decodeString(q []byte, escaped bool) (string, error) {
	if len(q) < 2 {
		return "", errAt(0, "short string")
	}
	if !escaped {
		return string(q[1 : len(q)-1]), nil
	}
	var s string
	if err := json.Unmarshal(q, &s); err != nil {
		return "", err
	}
	return s, nil
}

// stringValue decodes raw as a JSON string; ok is false when raw is not a
// string.
func stringValue(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	end, esc, err := scanString(raw, 0)
	if err != nil || end != len(raw) {
		return "", false
	}
	s, err := decodeString(raw, esc)
	return s, err == nil
}

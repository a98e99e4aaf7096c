package pgstore

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vigil-proxy/vigil-proxy/store"
)

// Cursors come from API query strings: any input is an ErrInvalid or a
// 16-byte key that prints back as the same (lower-case) hex.
func FuzzParseEventID(f *testing.F) {
	f.Add("0123456789abcdef0123456789abcdef")
	f.Add("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz")
	f.Add("\x00\xff")
	f.Fuzz(func(t *testing.T, id string) {
		k, err := store.ParseEventID(id)
		if err != nil {
			if !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("store.ParseEventID(%q) error %v, want ErrInvalid", id, err)
			}
			return
		}
		if len(k) != store.EventKeyLen || hex.EncodeToString(k) != strings.ToLower(id) {
			t.Fatalf("store.ParseEventID(%q) = %x", id, k)
		}
	})
}

// Client-controlled fields (User-Agent, names) become text columns: the
// result is always storable (valid UTF-8, no NUL) and keeps storable input
// unchanged.
func FuzzText(f *testing.F) {
	f.Add("pip/24.0 CPython")
	f.Add("bad\x00name")
	f.Add("\xff\xfe")
	f.Fuzz(func(t *testing.T, s string) {
		got := text(s)
		if !utf8.ValidString(got) || strings.IndexByte(got, 0) >= 0 {
			t.Fatalf("text(%q) = %q: not storable", s, got)
		}
		if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 && got != s {
			t.Fatalf("text(%q) = %q: changed storable input", s, got)
		}
	})
}

package proxy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func TestSanitizePhrase(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"`x` looks like `y` — really", "'x' looks like 'y' - really"},
		{"line\r\nbreak\ttab", "line  break tab"},
		{"ünïcode", "unicode"},
		{"gefährlich, siehe Ticket … (Straße)", "gefahrlich, siehe Ticket ... (Strasse)"},
		{"вредоносный пакет", "vredonosnyi paket"},
		{"恶意", "E Yi "},
		{"emoji 😀 and \u0085 next", "emoji ? and   next"},
		{"bidi \u202e override", "bidi ? override"},
	} {
		if got := sanitizePhrase(tc.in, 100); got != tc.want {
			t.Errorf("sanitizePhrase(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	long := strings.Repeat("word ", 100)
	got := sanitizePhrase(long, 60)
	if len(got) > 60 || !strings.HasSuffix(got, "word...") {
		t.Errorf("long phrase cut to %q (%d bytes), want a word boundary and at most 60 bytes", got, len(got))
	}
}

type failingDigest struct{ n int }

func (f *failingDigest) Write(p []byte) (int, error) { f.n += len(p); return len(p), nil }
func (f *failingDigest) Verify() error               { return errors.New("sha256 mismatch") }

// A large file whose digest fails is cut before its last bytes leave.
func TestCopyVerifiedHoldsBackTheTail(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 5*holdBack)
	var out bytes.Buffer
	err := copyVerified(&out, bytes.NewReader(body), &failingDigest{})
	if err == nil {
		t.Fatal("copyVerified accepted a failing digest")
	}
	if out.Len() >= len(body) || len(body)-out.Len() < holdBack {
		t.Errorf("wrote %d of %d bytes; at least %d must be held back", out.Len(), len(body), holdBack)
	}
	out.Reset()
	if err := copyVerified(&out, bytes.NewReader(body), newSHA256Verifier(sha256Hex(body))); err != nil || !bytes.Equal(out.Bytes(), body) {
		t.Errorf("good digest: err %v, %d bytes", err, out.Len())
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

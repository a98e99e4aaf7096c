package npm

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // npm's legacy dist.shasum is SHA-1; used only when no SRI hash exists.
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net/url"
	"path"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// TarballBasename returns the last path segment of a dist.tarball URL,
// unescaped ("https://r/@s/n/-/n-1.0.0.tgz" → "n-1.0.0.tgz"). It returns ""
// when the URL has no usable final segment.
func TarballBasename(tarballURL string) string {
	if tarballURL == "" {
		return ""
	}
	p := tarballURL
	if u, err := url.Parse(tarballURL); err == nil {
		p = u.Path
	} else {
		p, _, _ = strings.Cut(p, "?")
		p, _, _ = strings.Cut(p, "#")
	}
	if p == "" || strings.HasSuffix(p, "/") {
		return ""
	}
	base := path.Base(p)
	if base == "." || base == "/" || base == ".." {
		return ""
	}
	return base
}

// ErrIntegrity reports that downloaded bytes do not match the integrity or
// shasum the packument declared. Verify's errors wrap it and
// policy.ErrUpstream.
var ErrIntegrity = errors.New("integrity mismatch")

// Verifier checks a stream against npm's dist.integrity (Subresource
// Integrity: "sha512-<base64>", possibly several space-separated hashes) or,
// when no usable SRI hash is given, against the hex SHA-1 dist.shasum. Write
// the bytes through it, then call Verify.
type Verifier struct {
	alg    string
	h      hash.Hash
	want   [][]byte // acceptable digests for alg (SRI: any one matches)
	size   int64
	wantOf string // for error messages
}

// algStrength orders the SRI algorithms npm understands; 0 = unsupported.
func algStrength(alg string) int {
	switch alg {
	case "sha1":
		return 1
	case "sha256":
		return 2
	case "sha384":
		return 3
	case "sha512":
		return 4
	}
	return 0
}

func newHash(alg string) hash.Hash {
	switch alg {
	case "sha1":
		return sha1.New() //nolint:gosec // see import comment
	case "sha256":
		return sha256.New()
	case "sha384":
		return sha512.New384()
	default:
		return sha512.New()
	}
}

// NewIntegrityVerifier builds a Verifier. Of the SRI hashes in integrity only
// the strongest algorithm counts (sha512 > sha384 > sha256 > sha1), and any
// one digest of that algorithm may match; tokens with unknown algorithms or
// bad base64 are ignored, as SRI prescribes. Without a usable SRI hash the
// 40-hex-digit shasum is used. It fails when neither gives anything to check.
func NewIntegrityVerifier(integrity, shasum string) (*Verifier, error) {
	var best string
	var want [][]byte
	for _, tok := range strings.Fields(integrity) {
		alg, b64, ok := strings.Cut(tok, "-")
		if !ok || algStrength(alg) == 0 {
			continue
		}
		b64, _, _ = strings.Cut(b64, "?") // SRI options
		sum, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(sum) != newHash(alg).Size() {
			continue
		}
		switch s := algStrength(alg); {
		case s > algStrength(best):
			best, want = alg, [][]byte{sum}
		case s == algStrength(best):
			want = append(want, sum)
		}
	}
	if best != "" {
		return &Verifier{alg: best, h: newHash(best), want: want, wantOf: "integrity " + best}, nil
	}
	sum, err := hex.DecodeString(strings.TrimSpace(shasum))
	if err != nil || len(sum) != sha1.Size {
		return nil, fmt.Errorf("tarball checksum: no usable integrity (%q) or shasum (%q)", integrity, shasum)
	}
	return &Verifier{alg: "sha1", h: sha1.New(), want: [][]byte{sum}, wantOf: "shasum"}, nil //nolint:gosec // see import comment
}

// Algorithm names the hash being checked ("sha512", …, "sha1").
func (v *Verifier) Algorithm() string { return v.alg }

// Write hashes p. It never fails.
func (v *Verifier) Write(p []byte) (int, error) {
	v.size += int64(len(p))
	return v.h.Write(p)
}

// Verify reports whether the bytes written so far match. The error wraps
// ErrIntegrity and policy.ErrUpstream.
func (v *Verifier) Verify() error {
	got := v.h.Sum(nil)
	for _, w := range v.want {
		if bytes.Equal(got, w) {
			return nil
		}
	}
	return fmt.Errorf("tarball %s does not match after %d bytes: %w: %w", v.wantOf, v.size, ErrIntegrity, policy.ErrUpstream)
}

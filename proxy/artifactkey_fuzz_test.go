package proxy

import (
	"bytes"
	"crypto/sha512"
	"encoding/base64"
	"strings"
	"testing"
)

// FuzzNPMCacheKey feeds arbitrary dist.integrity strings (upstream input)
// to the cache key parser: it never panics, and a key it returns is a SHA-2
// hash that one of the tokens really declares.
func FuzzNPMCacheKey(f *testing.F) {
	sum := sha512.Sum512([]byte("x"))
	for _, seed := range []string{
		"sha512-" + base64.StdEncoding.EncodeToString(sum[:]),
		"sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA= sha512-" + base64.StdEncoding.EncodeToString(sum[:]) + "?opt",
		"sha256-", "sha512-!!!", "md5-AAAA", "", " ", "sha384-" + strings.Repeat("A", 64),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, integrity string) {
		k := npmCacheKey(integrity)
		if k == nil {
			return
		}
		switch k.Algorithm {
		case "sha256", "sha384", "sha512":
		default:
			t.Fatalf("key algorithm %q from %q", k.Algorithm, integrity)
		}
		for _, tok := range strings.Fields(integrity) {
			alg, b64, _ := strings.Cut(tok, "-")
			b64, _, _ = strings.Cut(b64, "?")
			if sum, err := base64.StdEncoding.DecodeString(b64); err == nil && alg == k.Algorithm && bytes.Equal(sum, k.Digest) {
				return
			}
		}
		t.Fatalf("key %s not declared in %q", k, integrity)
	})
}

package npm

import (
	"crypto/sha1" //nolint:gosec // test of the SHA-1 shasum fallback
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

func TestTarballBasename(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://registry.npmjs.org/left/-/left-1.0.0.tgz", "left-1.0.0.tgz"},
		{"https://registry.npmjs.org/@s/n/-/n-1.0.0.tgz", "n-1.0.0.tgz"},
		{"https://registry.npmjs.org/@s%2fn/-/n-1.0.0.tgz", "n-1.0.0.tgz"},
		{"https://r.example/files/abc.tgz?token=x#frag", "abc.tgz"},
		{"https://r.example/a/b%2Bc.tgz", "b+c.tgz"},
		{"left-1.0.0.tgz", "left-1.0.0.tgz"},
		{"https://r.example/dir/", ""},
		{"https://r.example", ""},
		{"", ""},
		{"%zz/x.tgz?q", "x.tgz"},
	}
	for _, tc := range tests {
		if got := TarballBasename(tc.in); got != tc.want {
			t.Errorf("TarballBasename(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func sri(alg string, sum []byte) string { return alg + "-" + base64.StdEncoding.EncodeToString(sum) }

func TestVerifier(t *testing.T) {
	data := strings.Repeat("tarball bytes ", 10000)
	s512 := sha512.Sum512([]byte(data))
	s256 := sha256.Sum256([]byte(data))
	s1 := sha1.Sum([]byte(data)) //nolint:gosec // test
	bad512 := sha512.Sum512([]byte("other"))
	bad1 := sha1.Sum([]byte("other")) //nolint:gosec // test

	tests := []struct {
		name, integrity, shasum, alg string
		ok                           bool
	}{
		{"sha512", sri("sha512", s512[:]), "", "sha512", true},
		{"sha512 wrong", sri("sha512", bad512[:]), hex.EncodeToString(s1[:]), "sha512", false},
		{"strongest wins over matching weaker", sri("sha256", s256[:]) + " " + sri("sha512", bad512[:]), "", "sha512", false},
		{"any of the strongest", sri("sha512", bad512[:]) + " " + sri("sha512", s512[:]), "", "sha512", true},
		{"sha256 only", sri("sha256", s256[:]), "", "sha256", true},
		{"sri options ignored", sri("sha512", s512[:]) + "?foo", "", "sha512", true},
		{"unknown alg ignored, shasum used", "md5-AAAA", hex.EncodeToString(s1[:]), "sha1", true},
		{"bad base64 ignored", "sha512-!!!", hex.EncodeToString(s1[:]), "sha1", true},
		{"shasum wrong", "", hex.EncodeToString(bad1[:]), "sha1", false},
		{"shasum upper-case hex", "", strings.ToUpper(hex.EncodeToString(s1[:])), "sha1", true},
	}
	for _, tc := range tests {
		v, err := NewIntegrityVerifier(tc.integrity, tc.shasum)
		if err != nil {
			t.Errorf("%s: NewIntegrityVerifier: %v", tc.name, err)
			continue
		}
		if v.Algorithm() != tc.alg {
			t.Errorf("%s: Algorithm = %s, want %s", tc.name, v.Algorithm(), tc.alg)
		}
		// Stream in odd-sized chunks like the proxy would.
		if _, err := io.CopyBuffer(v, strings.NewReader(data), make([]byte, 777)); err != nil {
			t.Fatal(err)
		}
		err = v.Verify()
		if tc.ok && err != nil {
			t.Errorf("%s: Verify = %v, want nil", tc.name, err)
		}
		if !tc.ok && (!errors.Is(err, ErrIntegrity) || !errors.Is(err, policy.ErrUpstream)) {
			t.Errorf("%s: Verify = %v, want ErrIntegrity and ErrUpstream", tc.name, err)
		}
	}
}

func TestVerifierNeedsSomething(t *testing.T) {
	for _, tc := range [][2]string{{"", ""}, {"md5-x", ""}, {"", "abc"}, {"sha512-AAAA", "zz"}} {
		if _, err := NewIntegrityVerifier(tc[0], tc[1]); err == nil {
			t.Errorf("NewIntegrityVerifier(%q, %q) = nil error", tc[0], tc[1])
		}
	}
}

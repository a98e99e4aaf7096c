package pgstore

import (
	"errors"
	"strings"
	"testing"

	"github.com/vigil-proxy/vigil-proxy/store"
)

// ParseConfig says what is wrong with a URL, naming the TLS file involved,
// without quoting the URL or any password.
func TestParseConfigExplainsTLSFileProblems(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"postgres://vigil:url-Secret1@db/vigil?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem",
			"failed to configure TLS (unable to read CA file: open /nonexistent/ca.pem: no such file or directory)"},
		{"postgres://vigil@db/vigil?sslmode=require&sslcert=/nonexistent/c.crt&sslkey=/nonexistent/c.key",
			"/nonexistent/c.key"},
		{"postgres://vigil@db/vigil?sslmode=sometimes", "sslmode is invalid"},
	} {
		_, err := ParseConfig(tc.url, "env-Secret2")
		if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseConfig(%s) = %v, want ErrInvalid saying %q", tc.url, err, tc.want)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "Secret") || strings.Contains(msg, "postgres://") || strings.Contains(msg, "`") {
			t.Errorf("ParseConfig(%s) error %q quotes the URL or a password", tc.url, msg)
		}
	}
}

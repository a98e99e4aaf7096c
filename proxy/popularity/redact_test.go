package popularity

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// A base URL with credentials (a mirror behind basic auth) never shows its
// password in an error, which the proxy logs: not for a refused
// connection, not for an error status.
func TestErrorsNeverShowBaseURLCredentials(t *testing.T) {
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(failing.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String()
	ln.Close()
	for _, base := range []string{refused, failing.URL} {
		withCreds := strings.Replace(base, "http://", "http://user:s3cr3t-pw@", 1)
		for _, tc := range []struct {
			src Source
			eco policy.Ecosystem
		}{
			{NewNPM(HTTPOptions{BaseURL: withCreds}), policy.NPM},
			{NewPyPIStats(HTTPOptions{BaseURL: withCreds}), policy.PyPI},
		} {
			_, err := tc.src.WeeklyDownloads(t.Context(), tc.eco, []string{"left-pad"})
			if err == nil {
				t.Fatalf("%s via %s: no error", tc.src.Name(), base)
			}
			if msg := err.Error(); strings.Contains(msg, "s3cr3t") || !strings.Contains(msg, strings.TrimPrefix(base, "http://")) {
				t.Errorf("%s via %s: error %q shows a secret or hides the host", tc.src.Name(), base, msg)
			}
		}
	}
}

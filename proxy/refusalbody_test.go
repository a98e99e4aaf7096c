package proxy_test

import (
	"net/http"
	"strings"
	"testing"
)

// npm publish sends its tarball in the PUT body; the proxy refuses the
// write before reading it. The refusal must reach the client, which is
// still sending, rather than a connection reset: every attempt gets the
// 405 and its explanation.
func TestRefusalOfALargeUploadReachesTheClient(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{})
	for i := range 10 {
		req, _ := http.NewRequest(http.MethodPut, e.srv.URL+"/npm/mature-lib", strings.NewReader(strings.Repeat("a", 8<<20)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
		b := wantStatus(t, resp, http.StatusMethodNotAllowed)
		if !strings.Contains(resp.Status, "read-only registry") || !strings.Contains(b, "read-only registry") {
			t.Errorf("attempt %d: status %q body %q, want the explanation", i+1, resp.Status, b)
		}
	}
}

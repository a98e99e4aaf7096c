package upstream

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Error text (which reaches logs) carries neither userinfo nor query
// strings: signed artifact URLs put their credentials in the query.
func TestErrorsCarryNoURLCredentials(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	defer srv.Close()
	c := New(Options{})
	raw := strings.Replace(srv.URL, "http://", "http://ci:pw-secret-1@", 1) + "/pkg.tgz?X-Amz-Signature=sig-secret-2&token=tok-secret-3"
	_, err := c.Open(t.Context(), raw, nil)
	if err == nil {
		t.Fatal("Open succeeded against a 500")
	}
	for _, secret := range []string{"pw-secret-1", "sig-secret-2", "tok-secret-3"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q leaks %s", err, secret)
		}
	}
	if !strings.Contains(err.Error(), "/pkg.tgz") {
		t.Errorf("error %q no longer names the path", err)
	}
}

package proxy_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
)

// An upstream that cuts a file short is an upstream failure, not an
// integrity mismatch: the user is told which of the two happened.
func TestPyPITruncatedFileIsExplained(t *testing.T) {
	e, fake := newPyPIEnv(t, envOptions{})
	f := fake.Files("mature-pkg")[0]
	fake.SetFault(f.Path, pypitest.Fault{Truncate: true})
	resp := e.get("/pypi/files/mature-pkg/" + f.Filename)
	b := wantStatus(t, resp, http.StatusBadGateway)
	if strings.Contains(resp.Status+b, "integrity") || strings.Contains(b, "sha256 mismatch") {
		t.Errorf("status %q body %q: a truncated upstream reported as an integrity failure", resp.Status, b)
	}
	if !strings.Contains(b, "before the file was complete") {
		t.Errorf("body %q, want the truncation explained", b)
	}
}

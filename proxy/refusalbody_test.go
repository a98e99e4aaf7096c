package proxy_test

import (
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
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

// The real npm publish of a 12 MiB package through the proxy prints the
// proxy's explanation (it printed ECONNRESET every time before the
// refusal drained the upload).
func TestNPMPublishOfALargePackagePrintsTheRefusal(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{})
	d := newClientDirs(t)
	if err := os.WriteFile(filepath.Join(d.project, "package.json"), []byte(`{"name":"big-upload","version":"1.0.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	blob := make([]byte, 12<<20) // incompressible, so the tarball stays large
	_, _ = rand.NewChaCha8([32]byte{7}).Read(blob)
	if err := os.WriteFile(filepath.Join(d.project, "blob.bin"), blob, 0o644); err != nil {
		t.Fatal(err)
	}
	hostPort := strings.TrimPrefix(e.srv.URL, "http://")
	out, code := d.run(t, "npm", "publish", "--registry", e.srv.URL+"/npm/", "--//"+hostPort+"/npm/:_authToken=test-token")
	if code == 0 || !strings.Contains(out, "E405") || !strings.Contains(out, "read-only registry") || strings.Contains(out, "ECONNRESET") {
		t.Errorf("npm publish: exit %d, want E405 with the proxy's explanation; npm printed:\n%s", code, out)
	}
}

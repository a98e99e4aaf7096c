package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
)

// TestPipCorruptFile: upstream serves bytes that do not match the sha256 the
// index advertises; pip must fail and install nothing.
func TestPipCorruptFile(t *testing.T) {
	t.Parallel()
	py := requirePip(t)
	old := time.Date(2021, 3, 1, 12, 0, 0, 0, time.UTC)
	fake := pypitest.NewServer(t, pypitest.Project{Name: "vigil-e2e-corrupt", ProjectURLs: repo("corrupt"),
		Dists: []pypitest.Dist{{Version: "1.0.0", Uploaded: old}}})
	file := fake.Files("vigil-e2e-corrupt")[0]
	fake.SetFault(file.Path, pypitest.Fault{CorruptFile: true})
	p := startProxy(t, pypiEnv(fake, nil))

	target := t.TempDir()
	cmdline, out, code := pipInstall(t, py, p, target, "vigil-e2e-corrupt")
	recordTranscript(t, "file bytes do not match the advertised sha256", cmdline, out, code)
	if code == 0 {
		t.Errorf("pip installed a file whose sha256 does not match")
	}
	wantVersions(t, target, "vigil-e2e-corrupt")
	if strings.Contains(out, "Successfully installed") {
		t.Errorf("pip reports success")
	}
	if !strings.Contains(out, "502 Server Error: Blocked by vigil-proxy: the upstream file failed its integrity check") {
		t.Errorf("pip output does not explain the integrity failure:\n%s", out)
	}
	if got := fake.Requests(file.Path); got < 1 {
		t.Errorf("upstream requests for %s: got %d, want >= 1 (the proxy must have fetched it)", file.Path, got)
	}
}

// TestPipAuditViaAdminAPI: a refusal shows up in the admin API's audit
// trail while the proxy runs, and the API refuses callers without a token.
func TestPipAuditViaAdminAPI(t *testing.T) {
	t.Parallel()
	py := requirePip(t)
	fake := pypitest.NewServer(t, pipFixtures(time.Now().UTC())...)
	p := startProxy(t, pypiEnv(fake, map[string]string{"VIGIL_ADMIN_TOKEN": randomToken(t)}))

	resp, err := http.Get(p.AdminURL + "/api/v1/events")
	if err != nil {
		t.Fatalf("GET /api/v1/events without a token: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/events without a token: got %s, want 401", resp.Status)
	}

	_, out, code := pipInstall(t, py, p, t.TempDir(), "vigil-e2e-young")
	if code == 0 {
		t.Fatalf("pip installed a 5-day-old project:\n%s", out)
	}
	evs := p.AdminEvents(t, url.Values{"package": {"vigil-e2e-young"}, "rule": {"DEP-002"}, "verdict": {"block"}}, 30*time.Second)
	if len(evs) == 0 {
		t.Fatalf("no DEP-002 block event for vigil-e2e-young in the admin API within 10s")
	}
	ev := evs[0]
	if ev.Ecosystem != "pypi" || ev.Route != "simple" || !strings.Contains(ev.Client, "pip/") ||
		ev.Reason != "`vigil-e2e-young` was first published 5 days ago (policy: 30 days)" {
		t.Errorf("admin API event:\n%s", describeEvents(evs[:1]))
	}
}

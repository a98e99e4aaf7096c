package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/npm/npmtest"
	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
)

// With the upstream registry down, a warm `npm ci` succeeds from the
// proxy's caches (stale metadata, verified tarballs) and a cold install
// fails naming the upstream.
func TestNPMInstallSurvivesUpstreamOutage(t *testing.T) {
	t.Parallel()
	fake := npmtest.NewServer(t, npmFixtures(time.Now().UTC())...)
	p := startProxy(t, npmEnv(fake, map[string]string{"VIGIL_CACHE_TTL": "1s"}))
	dir := npmProject(t, map[string]string{"vigil-npm-mature": "^1.2.0"})
	runNPM(t, p, dir, t.TempDir(), "install").check(t, "npm install (upstream up)", 0, "added 2 packages")
	fake.Close()
	time.Sleep(1100 * time.Millisecond) // metadata now past cache.ttl, within cache.grace
	warm := runNPM(t, p, dir, t.TempDir(), "ci")
	warm.check(t, "npm ci (upstream down, warm proxy)", 0, "added 2 packages")
	wantInstalled(t, dir, map[string]string{"vigil-npm-mature": "1.2.0", "vigil-npm-base": "1.1.0"})
	cold := runNPM(t, p, npmProject(t, map[string]string{"@vigil-e2e/scoped": "^2.0.0"}), t.TempDir(), "install")
	if cold.code == 0 {
		t.Fatalf("cold npm install succeeded with the upstream down:\n%s", cold.out)
	}
	if !strings.Contains(cold.out, "unreachable") {
		t.Errorf("cold npm install output does not give the reason:\n%s", cold.out)
	}
}

func TestPipInstallSurvivesUpstreamOutage(t *testing.T) {
	t.Parallel()
	py := requirePip(t)
	fake := pypitest.NewServer(t, pipFixtures(time.Now().UTC())...)
	p := startProxy(t, pypiEnv(fake, map[string]string{"VIGIL_CACHE_TTL": "1s"}))
	_, out, code := pipInstall(t, py, p, filepath.Join(t.TempDir(), "target"), "vigil-e2e-mature==1.2.0")
	if code != 0 {
		t.Fatalf("pip install (upstream up) exit %d:\n%s", code, out)
	}
	fake.Close()
	time.Sleep(1100 * time.Millisecond)
	target := filepath.Join(t.TempDir(), "target")
	_, out, code = pipInstall(t, py, p, target, "vigil-e2e-mature==1.2.0")
	if code != 0 {
		t.Fatalf("warm pip install (upstream down) exit %d:\n%s", code, out)
	}
	if got := installedVersions(t, target, "vigil-e2e-mature"); len(got) != 1 || got[0] != "1.2.0" {
		t.Errorf("installed vigil-e2e-mature %v, want [1.2.0]", got)
	}
	if got := installedVersions(t, target, "vigil-e2e-base"); len(got) != 1 {
		t.Errorf("installed vigil-e2e-base %v, want one version", got)
	}
	_, out, code = pipInstall(t, py, p, filepath.Join(t.TempDir(), "target"), "young-allowed")
	if code == 0 {
		t.Fatalf("cold pip install succeeded with the upstream down:\n%s", out)
	}
}

package proxy_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The real npm audit of a project with a private dependency: the bulk
// advisory request reaches upstream with the public dependency and
// without the private one.
func TestNPMAuditClientKeepsPrivateNamesFromUpstream(t *testing.T) {
	e, fake := newNPMEnv(t, envOptions{private: []string{"@myorg/*"}})
	d := newClientDirs(t)
	pkg := `{"name":"proj","version":"1.0.0","private":true,"dependencies":{"mature-lib":"1.1.0","@myorg/internal":"1.0.0"}}`
	lock := `{"name":"proj","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{
"":{"name":"proj","version":"1.0.0","dependencies":{"mature-lib":"1.1.0","@myorg/internal":"1.0.0"}},
"node_modules/mature-lib":{"version":"1.1.0"},
"node_modules/@myorg/internal":{"version":"1.0.0"}}}`
	for name, content := range map[string]string{"package.json": pkg, "package-lock.json": lock} {
		if err := os.WriteFile(filepath.Join(d.project, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, _ := d.run(t, "npm", "audit", "--json", "--package-lock-only", "--registry", e.srv.URL+"/npm/")
	got := fake.AuditRequests()
	if len(got) == 0 {
		t.Fatalf("npm audit sent no bulk advisory request upstream; npm printed:\n%s", out)
	}
	for _, b := range got {
		if !strings.Contains(string(b), "mature-lib") || strings.Contains(string(b), "myorg") {
			t.Errorf("forwarded audit body %s: want mature-lib and no @myorg name", b)
		}
	}
}

package deploytest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/google/go-cmp/cmp"
)

const composeFile = "../compose.yaml"

// loadCompose loads a Compose file the way `docker compose config` does:
// interpolation, YAML merge keys, validation against the Compose
// specification's JSON schema (compose-spec.json as embedded in
// github.com/compose-spec/compose-go/v2, pinned by this module's go.sum) and
// the consistency checks (unknown services in depends_on, secrets,
// networks, volumes).
func loadCompose(t *testing.T, path string, environ map[string]string) (*types.Project, error) {
	t.Helper()
	ctx := context.Background()
	details, err := loader.LoadConfigFiles(ctx, []string{path}, filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	details.Environment = environ
	return loader.LoadWithContext(ctx, *details, func(o *loader.Options) {
		o.SetProjectName("vigil-proxy", true)
	})
}

var composeEnv = map[string]string{"VIGIL_SESSION_KEY": "0123456789abcdef0123456789abcdef"}

func TestComposeFileFollowsTheSpecification(t *testing.T) {
	p, err := loadCompose(t, composeFile, composeEnv)
	if err != nil {
		t.Fatalf("compose.yaml does not load: %v", err)
	}
	names := p.ServiceNames()
	sort.Strings(names)
	if diff := cmp.Diff([]string{"lb", "postgres", "vigil-1", "vigil-2"}, names); diff != "" {
		t.Fatalf("services (-want +got):\n%s", diff)
	}
	for _, name := range []string{"vigil-1", "vigil-2"} {
		s := p.Services[name]
		if s.Build == nil || s.Build.Dockerfile != "deploy/Dockerfile" {
			t.Errorf("%s: build %+v, want deploy/Dockerfile", name, s.Build)
		}
		if !s.ReadOnly || !cmp.Equal(s.CapDrop, []string{"ALL"}) || !cmp.Equal(s.SecurityOpt, []string{"no-new-privileges:true"}) {
			t.Errorf("%s: read_only %v cap_drop %v security_opt %v; want a read-only, capability-free container", name, s.ReadOnly, s.CapDrop, s.SecurityOpt)
		}
		if s.Hostname != name {
			t.Errorf("%s: hostname %q; each replica needs its own name in the audit trail", name, s.Hostname)
		}
		if len(s.Volumes) != 1 || s.Volumes[0].Type != types.VolumeTypeVolume || s.Volumes[0].Source != name+"-cache" || s.Volumes[0].Target != "/var/lib/vigil-proxy" {
			t.Errorf("%s: volumes %+v, want its own named volume %s-cache at /var/lib/vigil-proxy", name, s.Volumes, name)
		}
		env := s.Environment
		url := deref(env["VIGIL_STORE_URL"])
		if !strings.HasPrefix(url, "postgres://vigil@postgres:5432/") {
			t.Errorf("%s: VIGIL_STORE_URL %q, want the postgres service without a password", name, url)
		}
		if got := deref(env["VIGIL_STORE_PASSWORD_FILE"]); got != "/run/secrets/db_password" {
			t.Errorf("%s: VIGIL_STORE_PASSWORD_FILE %q", name, got)
		}
		if got := deref(env["VIGIL_SESSION_KEY"]); got != composeEnv["VIGIL_SESSION_KEY"] {
			t.Errorf("%s: VIGIL_SESSION_KEY %q, want the one from the environment", name, got)
		}
		if dep := s.DependsOn["postgres"]; dep.Condition != types.ServiceConditionHealthy {
			t.Errorf("%s: depends on postgres with condition %q, want service_healthy", name, dep.Condition)
		}
		if s.HealthCheck == nil || !strings.Contains(strings.Join(s.HealthCheck.Test, " "), "health --path /readyz") {
			t.Errorf("%s: healthcheck %+v, want vigil-proxy health on /readyz", name, s.HealthCheck)
		}
	}
	lb := p.Services["lb"]
	for _, r := range []string{"vigil-1", "vigil-2"} {
		if lb.DependsOn[r].Condition != types.ServiceConditionHealthy {
			t.Errorf("lb: does not wait for %s to be healthy", r)
		}
	}
	published := map[string]string{}
	for _, port := range lb.Ports {
		published[port.Published] = port.HostIP
	}
	if diff := cmp.Diff(map[string]string{"8080": "", "8081": "127.0.0.1"}, published); diff != "" {
		t.Errorf("lb published ports -> host IP (-want +got):\n%s", diff)
	}
	for _, s := range []string{"db_password", "admin_token"} {
		if _, ok := p.Secrets[s]; !ok {
			t.Errorf("secret %s not declared", s)
		}
	}
}

func TestComposeNeedsTheSessionKey(t *testing.T) {
	_, err := loadCompose(t, composeFile, map[string]string{})
	if err == nil || !strings.Contains(err.Error(), "set VIGIL_SESSION_KEY") {
		t.Errorf("load without VIGIL_SESSION_KEY: error %v, want one that says to set it", err)
	}
}

// TestComposeSchemaRejectsUnknownKeys shows that the schema validation above
// has teeth: a misspelt key makes the same loader fail.
func TestComposeSchemaRejectsUnknownKeys(t *testing.T) {
	b, err := os.ReadFile(composeFile)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(b), "    hostname: vigil-2\n", "    hostname: vigil-2\n    replica_count: 2\n", 1)
	if bad == string(b) {
		t.Fatal("compose.yaml no longer has the line this test edits")
	}
	path := filepath.Join(t.TempDir(), "compose.yaml")
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = loadCompose(t, path, composeEnv)
	if err == nil || !strings.Contains(err.Error(), "replica_count") {
		t.Errorf("misspelt key: error %v, want a schema error naming replica_count", err)
	}
}

// TestLoadBalancerConfigIsValid runs haproxy's own configuration check and
// makes sure it balances over exactly the replicas compose.yaml defines.
func TestLoadBalancerConfigIsValid(t *testing.T) {
	out, err := exec.Command("haproxy", "-c", "-f", "../haproxy.cfg").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Configuration file is valid") {
		t.Fatalf("haproxy -c: %v\n%s", err, out)
	}
	b, err := os.ReadFile("../haproxy.cfg")
	if err != nil {
		t.Fatal(err)
	}
	backends := map[string][]string{}
	var current string
	server := regexp.MustCompile(`^\s+server\s+\S+\s+(\S+)`)
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "backend" {
			current = f[1]
		}
		if m := server.FindStringSubmatch(line); m != nil {
			backends[current] = append(backends[current], m[1])
		}
	}
	want := map[string][]string{
		"vigil":       {"vigil-1:8080", "vigil-2:8080"},
		"vigil-admin": {"vigil-1:8081", "vigil-2:8081"},
	}
	if diff := cmp.Diff(want, backends); diff != "" {
		t.Errorf("haproxy backends (-want +got):\n%s", diff)
	}
	if !strings.Contains(string(b), "option httpchk GET /readyz") {
		t.Error("haproxy does not take unready replicas out of rotation (option httpchk GET /readyz)")
	}
}

package deploytest

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// The deploy artefacts set vigil-proxy's environment variables, run its
// subcommands and probe its ports. A renamed variable would be silently
// ignored by the binary (it only warns), so these tests hand each
// artefact's environment and commands to the binary built from this tree.

// unknownWarning is how `vigil-proxy config` reports a VIGIL_* variable
// that is not a setting.
const unknownWarning = "is not a vigil-proxy setting"

// runConfig runs `vigil-proxy config` with exactly env (plus a HOME) and
// returns its exit status, standard output and standard error.
func runConfig(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(vigilProxyBinary(t), append([]string{"config"}, args...)...)
	cmd.Env = append([]string{"HOME=" + t.TempDir()}, env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run vigil-proxy config: %v", err)
	}
	return code, stdout.String(), stderr.String()
}

// effective is the part of `vigil-proxy config`'s output these tests read.
type effective struct {
	Listen         string `json:"listen"`
	DataDir        string `json:"data_dir"`
	TrustForwarded bool   `json:"trust_forwarded"`
	Admin          struct {
		Listen string `json:"listen"`
	} `json:"admin"`
	Metrics struct {
		Enabled bool `json:"enabled"`
	} `json:"metrics"`
	Log struct {
		Format string `json:"format"`
	} `json:"log"`
	Store struct {
		URL string `json:"url"`
	} `json:"store"`
}

func parseEffective(t *testing.T, out string) effective {
	t.Helper()
	var e effective
	if err := yaml.Unmarshal([]byte(out), &e); err != nil {
		t.Fatalf("effective config is not YAML: %v\n%s", err, out)
	}
	return e
}

// secretFiles writes a file with a plausible secret for each name and
// returns name → path.
func secretFiles(t *testing.T, names ...string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	out := map[string]string{}
	for _, n := range names {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, []byte("0123456789abcdef0123456789abcdef0123456789abcdef\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		out[n] = p
	}
	return out
}

// probeFlagsAccepted runs a `vigil-proxy health …` command line against an
// address nothing listens on: exit 1 (unhealthy) shows its flags were
// accepted; a flag the binary does not know is exit 2.
func probeFlagsAccepted(t *testing.T, env []string, args []string) {
	t.Helper()
	if len(args) == 0 || args[0] != "health" {
		t.Fatalf("health check runs %q, want vigil-proxy health", args)
	}
	cmd := exec.Command(vigilProxyBinary(t), append(slices.Clone(args), "--timeout", "1s")...)
	cmd.Env = append([]string{"HOME=" + t.TempDir(), "VIGIL_LISTEN=127.0.0.1:1"}, env...)
	out, err := cmd.CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), "unreachable") {
		t.Errorf("vigil-proxy %s against a closed port: %v\n%s\nwant exit 1 (unreachable): the flags must be ones the binary accepts", strings.Join(args, " "), err, out)
	}
}

func TestComposeEnvironmentIsAcceptedByVigilProxy(t *testing.T) {
	p, err := loadCompose(t, composeFile, composeEnv)
	if err != nil {
		t.Fatal(err)
	}
	secrets := secretFiles(t, "db_password", "admin_token")
	for _, name := range []string{"vigil-1", "vigil-2"} {
		s := p.Services[name]
		var env []string
		for k, v := range s.Environment {
			val := deref(v)
			if secret, ok := strings.CutPrefix(val, "/run/secrets/"); ok {
				if secrets[secret] == "" {
					t.Fatalf("%s: %s names secret %s, which this test does not provide", name, k, secret)
				}
				val = secrets[secret]
			}
			env = append(env, k+"="+val)
		}
		env = append(env, "VIGIL_DATA_DIR="+t.TempDir()) // the image's ENV sets it
		code, out, errOut := runConfig(t, env)
		if code != 0 || strings.Contains(errOut, unknownWarning) {
			t.Fatalf("%s: vigil-proxy config with the service's environment: exit %d\n%s", name, code, errOut)
		}
		e := parseEffective(t, out)
		if !e.TrustForwarded || !e.Metrics.Enabled || !strings.HasPrefix(e.Store.URL, "postgres://vigil@postgres:5432/vigil") {
			t.Errorf("%s: effective trust_forwarded %v metrics %v store.url %q; want the compose file's settings applied", name, e.TrustForwarded, e.Metrics.Enabled, e.Store.URL)
		}
		if s.HealthCheck == nil || len(s.HealthCheck.Test) < 3 || s.HealthCheck.Test[0] != "CMD" || s.HealthCheck.Test[1] != "/usr/local/bin/vigil-proxy" {
			t.Fatalf("%s: healthcheck %+v, want CMD /usr/local/bin/vigil-proxy health …", name, s.HealthCheck)
		}
		probeFlagsAccepted(t, env, s.HealthCheck.Test[2:])
	}
}

// dockerfile is what the tests read of deploy/Dockerfile.
type dockerfile struct {
	env         []string // NAME=value of the final stage's ENV
	expose      []string
	healthcheck []string // the HEALTHCHECK's CMD, exec form
	entrypoint  []string
	cmd         []string
}

func readDockerfile(t *testing.T) dockerfile {
	t.Helper()
	b, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	// Join continuation lines, drop comments.
	var lines []string
	var cur strings.Builder
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") {
			continue
		}
		if s, ok := strings.CutSuffix(line, "\\"); ok {
			cur.WriteString(s + " ")
			continue
		}
		cur.WriteString(line)
		if cur.Len() > 0 {
			lines = append(lines, cur.String())
		}
		cur.Reset()
	}
	execForm := func(s string) []string {
		var out []string
		if err := yaml.Unmarshal([]byte(s), &out); err != nil {
			t.Fatalf("Dockerfile: %q is not an exec-form (JSON) list: %v", s, err)
		}
		return out
	}
	var d dockerfile
	for _, line := range lines {
		instr, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		switch strings.ToUpper(instr) {
		case "FROM":
			d.env = nil // only the final stage's ENV reaches the binary
		case "ENV":
			d.env = append(d.env, strings.Fields(rest)...)
		case "EXPOSE":
			d.expose = strings.Fields(rest)
		case "HEALTHCHECK":
			_, c, ok := strings.Cut(rest, " CMD ")
			if !ok {
				t.Fatalf("HEALTHCHECK %q has no CMD", rest)
			}
			d.healthcheck = execForm(c)
		case "ENTRYPOINT":
			d.entrypoint = execForm(rest)
		case "CMD":
			d.cmd = execForm(rest)
		}
	}
	return d
}

func TestDockerfileMatchesTheBinary(t *testing.T) {
	d := readDockerfile(t)
	dataDir := t.TempDir()
	env := slices.Clone(d.env)
	for i, kv := range env {
		if strings.HasPrefix(kv, "VIGIL_DATA_DIR=") {
			env[i] = "VIGIL_DATA_DIR=" + dataDir
		}
	}
	code, out, errOut := runConfig(t, env)
	if code != 0 || strings.Contains(errOut, unknownWarning) {
		t.Fatalf("vigil-proxy config with the image's ENV %q: exit %d\n%s", d.env, code, errOut)
	}
	e := parseEffective(t, out)
	ports := []string{portOf(t, e.Listen), portOf(t, e.Admin.Listen)}
	if !strings.HasPrefix(e.Listen, "0.0.0.0:") || !strings.HasPrefix(e.Admin.Listen, "0.0.0.0:") || !cmp.Equal(ports, d.expose) {
		t.Errorf("image listens on %s and %s but EXPOSEs %v", e.Listen, e.Admin.Listen, d.expose)
	}
	if e.Log.Format != "json" || e.DataDir != dataDir {
		t.Errorf("image ENV gives log.format %q data_dir %q", e.Log.Format, e.DataDir)
	}
	if !cmp.Equal(d.entrypoint, []string{"/usr/local/bin/vigil-proxy"}) || !cmp.Equal(d.cmd, []string{"serve"}) {
		t.Errorf("ENTRYPOINT %q CMD %q, want the binary running serve", d.entrypoint, d.cmd)
	}
	if len(d.healthcheck) < 2 || d.healthcheck[0] != "/usr/local/bin/vigil-proxy" {
		t.Fatalf("HEALTHCHECK runs %q, want /usr/local/bin/vigil-proxy health …", d.healthcheck)
	}
	probeFlagsAccepted(t, nil, d.healthcheck[1:])
}

func portOf(t *testing.T, addr string) string {
	t.Helper()
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		t.Fatalf("listen address %q has no port", addr)
	}
	return addr[i+1:]
}

// systemdEnvironment is the unit's Environment= assignments, with the
// specifiers this test can resolve (%S, the state directory root).
func systemdEnvironment(t *testing.T, unit, stateRoot string) []string {
	t.Helper()
	var env []string
	for _, line := range strings.Split(unit, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Environment="); ok {
			env = append(env, strings.ReplaceAll(strings.Trim(v, `"`), "%S", stateRoot))
		}
	}
	return env
}

func TestSystemdUnitMatchesTheBinary(t *testing.T) {
	unit, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	example, err := filepath.Abs("../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range systemdEnvironment(t, string(unit), state) {
		if strings.HasPrefix(kv, "VIGIL_CONFIG=") { // the README copies the example there
			kv = "VIGIL_CONFIG=" + example
		}
		env = append(env, kv)
	}
	code, out, errOut := runConfig(t, env)
	if code != 0 || strings.Contains(errOut, unknownWarning) {
		t.Fatalf("vigil-proxy config with the unit's environment %q: exit %d\n%s", env, code, errOut)
	}
	if e := parseEffective(t, out); e.DataDir != filepath.Join(state, "vigil-proxy") {
		t.Errorf("data_dir %q, want the unit's StateDirectory %s", e.DataDir, filepath.Join(state, "vigil-proxy"))
	}
	m := regexp.MustCompile(`(?m)^ExecStart=(\S+) (.*)$`).FindStringSubmatch(string(unit))
	if m == nil || m[1] != "/usr/local/bin/vigil-proxy" || m[2] != "serve" {
		t.Errorf("ExecStart %q, want /usr/local/bin/vigil-proxy serve", m)
	}
}

// The chart's environment variables (its own and the secret keys of
// values.yaml) are all settings the binary reads.
func TestChartEnvironmentIsKnownToVigilProxy(t *testing.T) {
	m := mustRender(t, values(t, scaledValues))
	c := m.deployments[0].Spec.Template.Spec.Containers[0]
	var env []string
	for _, e := range c.Env {
		env = append(env, e.Name+"=x")
	}
	if len(env) < 5 {
		t.Fatalf("chart sets only %v", env)
	}
	_, _, errOut := runConfig(t, env)
	if strings.Contains(errOut, unknownWarning) {
		t.Errorf("the chart sets variables vigil-proxy does not read:\n%s", errOut)
	}
}

// The checks above have teeth: a misspelt variable is reported.
func TestUnknownVariableIsReported(t *testing.T) {
	_, _, errOut := runConfig(t, []string{"VIGIL_STORE_URLS=postgres://vigil@db/vigil"})
	if !strings.Contains(errOut, "VIGIL_STORE_URLS "+unknownWarning) {
		t.Errorf("stderr %q, want VIGIL_STORE_URLS reported", errOut)
	}
}

// HAProxy balances over the ports the image listens on: the registry
// backend (health-checked on /readyz) on VIGIL_LISTEN's port, the admin
// backend on VIGIL_ADMIN_LISTEN's.
func TestLoadBalancerTargetsTheImagePorts(t *testing.T) {
	d := readDockerfile(t)
	env := slices.Clone(d.env)
	env = append(env, "VIGIL_DATA_DIR="+t.TempDir())
	code, out, errOut := runConfig(t, env)
	if code != 0 {
		t.Fatalf("vigil-proxy config with the image's ENV: exit %d\n%s", code, errOut)
	}
	e := parseEffective(t, out)
	want := map[string]string{"vigil": portOf(t, e.Listen), "vigil-admin": portOf(t, e.Admin.Listen)}
	b, err := os.ReadFile("../haproxy.cfg")
	if err != nil {
		t.Fatal(err)
	}
	server := regexp.MustCompile(`^\s+server\s+\S+\s+\S+:(\d+)`)
	checkPort := regexp.MustCompile(`\bcheck port (\d+)`)
	var backend string
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "backend" {
			backend = f[1]
		}
		if m := server.FindStringSubmatch(line); m != nil && m[1] != want[backend] {
			t.Errorf("haproxy backend %s sends to port %s, the image listens on %s", backend, m[1], want[backend])
		}
		if m := checkPort.FindStringSubmatch(line); m != nil && m[1] != want["vigil"] {
			t.Errorf("haproxy backend %s checks /readyz on port %s, the registry listens on %s", backend, m[1], want["vigil"])
		}
	}
}

package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func envMap(m map[string]string) env {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultConfigIsValid(t *testing.T) {
	c, err := loadConfig("", envMap(nil))
	if err != nil {
		t.Fatalf("loadConfig: %v", err)
	}
	if err := c.validate(); err != nil {
		t.Fatalf("default config invalid: %v", err)
	}
	if c.Listen != "127.0.0.1:8080" || c.PyPI.Upstream != "https://pypi.org" || c.Strategy != "default" {
		t.Errorf("defaults = %q %q %q", c.Listen, c.PyPI.Upstream, c.Strategy)
	}
	if diff := cmp.Diff([]string{"files.pythonhosted.org"}, c.PyPI.FileHosts); diff != "" {
		t.Errorf("file hosts (-want +got):\n%s", diff)
	}
}

func TestPrecedenceFileThenEnv(t *testing.T) {
	path := writeFile(t, "c.yaml", `
listen: 127.0.0.1:9000
strategy: strict
cache:
  ttl: 10m
rules:
  min_release_age: 3d
allow:
  - pypi:young-allowed
  - {ecosystem: npm, name: "@myorg/*", reason: internal}
`)
	c, err := loadConfig("", envMap(map[string]string{
		"VIGIL_CONFIG":          path,
		"VIGIL_LISTEN":          "127.0.0.1:9100",
		"VIGIL_PYPI_FILE_HOSTS": "a.example, b.example:8443",
		"VIGIL_DENY":            "pypi:evil==1.0,npm:bad@^2",
	}))
	if err != nil {
		t.Fatalf("loadConfig: %v", err)
	}
	if c.Listen != "127.0.0.1:9100" {
		t.Errorf("env should override file: listen = %q", c.Listen)
	}
	if c.Strategy != "strict" || time.Duration(c.Cache.TTL) != 10*time.Minute || time.Duration(c.Rules.MinReleaseAge) != 72*time.Hour {
		t.Errorf("file values lost: %q %v %v", c.Strategy, c.Cache.TTL, c.Rules.MinReleaseAge)
	}
	if diff := cmp.Diff([]string{"a.example", "b.example:8443"}, c.PyPI.FileHosts); diff != "" {
		t.Errorf("file hosts (-want +got):\n%s", diff)
	}
	wantAllow := []ListEntryConfig{{Ecosystem: "pypi", Name: "young-allowed"}, {Ecosystem: "npm", Name: "@myorg/*", Reason: "internal"}}
	if diff := cmp.Diff(wantAllow, c.Allow); diff != "" {
		t.Errorf("allow (-want +got):\n%s", diff)
	}
	wantDeny := []ListEntryConfig{{Ecosystem: "pypi", Name: "evil", Versions: "==1.0"}, {Ecosystem: "npm", Name: "bad", Versions: "^2"}}
	if diff := cmp.Diff(wantDeny, c.Deny); diff != "" {
		t.Errorf("deny (-want +got):\n%s", diff)
	}
	if err := c.validate(); err != nil {
		t.Errorf("validate: %v", err)
	}
	entries, err := c.listEntries()
	if err != nil || len(entries) != 4 {
		t.Fatalf("listEntries = %d entries, %v", len(entries), err)
	}
	s, err := c.settings()
	if err != nil {
		t.Fatal(err)
	}
	if s.MinReleaseAge != 72*time.Hour {
		t.Errorf("settings MinReleaseAge = %v, want 72h", s.MinReleaseAge)
	}
}

func TestUnknownKeyIsAnError(t *testing.T) {
	path := writeFile(t, "c.yaml", "listen: 127.0.0.1:1\nlisten_addr: oops\n")
	_, err := loadConfig(path, envMap(nil))
	if err == nil || !strings.Contains(err.Error(), "listen_addr") {
		t.Fatalf("loadConfig = %v, want an error naming listen_addr", err)
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	c, err := loadConfig("", envMap(map[string]string{
		"VIGIL_STRATEGY":       "paranoid",
		"VIGIL_PYPI_UPSTREAM":  "ftp://x",
		"VIGIL_LISTEN":         "nope",
		"VIGIL_PYPI_HIDE_MODE": "hide",
	}))
	if err != nil {
		t.Fatal(err)
	}
	err = c.validate()
	if err == nil {
		t.Fatal("validate accepted a broken config")
	}
	for _, want := range []string{"strategy", "pypi.upstream", "listen", "pypi.hide_mode"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("validate error %q does not mention %s", err, want)
		}
	}
}

func TestBadEnvValues(t *testing.T) {
	for name, val := range map[string]string{
		"VIGIL_CACHE_TTL":             "soon",
		"VIGIL_TRUST_FORWARDED":       "maybe",
		"VIGIL_CACHE_MAX_MEMORY_MB":   "lots",
		"VIGIL_ALLOW":                 "requests",
		"VIGIL_RULES_MIN_PACKAGE_AGE": "-3d",
	} {
		_, err := loadConfig("", envMap(map[string]string{name: val}))
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%q: err = %v, want an error naming the variable", name, val, err)
		}
	}
}

func TestEveryKeyHasAnEnvironmentVariable(t *testing.T) {
	c := defaultConfig()
	vars := envVars(&c)
	seen := map[string]bool{}
	for _, v := range vars {
		if seen[v.Name] {
			t.Errorf("duplicate variable %s", v.Name)
		}
		seen[v.Name] = true
		if v.Doc == "" {
			t.Errorf("%s has no documentation", v.Name)
		}
	}
	for _, want := range []string{"VIGIL_LISTEN", "VIGIL_DATA_DIR", "VIGIL_STRATEGY", "VIGIL_PYPI_UPSTREAM",
		"VIGIL_PYPI_FILE_HOSTS", "VIGIL_NPM_UPSTREAM", "VIGIL_NPM_TARBALL_HOSTS", "VIGIL_ADMIN_LISTEN", "VIGIL_NPM_TOKEN"} {
		if !seen[want] {
			t.Errorf("missing environment variable %s", want)
		}
	}
}

func TestDurationForms(t *testing.T) {
	for in, want := range map[string]time.Duration{"30d": 30 * 24 * time.Hour, "12h": 12 * time.Hour, "1.5d": 36 * time.Hour, "90m": 90 * time.Minute} {
		got, err := parseDuration(in)
		if err != nil || got != want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if b, _ := Duration(14 * 24 * time.Hour).MarshalText(); string(b) != "14d" {
		t.Errorf("MarshalText(14d) = %s", b)
	}
}

func TestRedactedHidesToken(t *testing.T) {
	c := defaultConfig()
	c.NPM.TokenEnv = "npm_supersecretvalue"
	out, err := c.redacted()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "supersecret") {
		t.Errorf("redacted config leaks the token:\n%s", out)
	}
}

// The documented example configuration loads and validates, and copying
// it as it stands (the systemd section does) changes nothing: under every
// strategy its effective configuration is the defaults', so it pins no
// threshold below a stricter strategy's and allowlists no name. Its
// commented allow/deny examples are valid entries.
func TestExampleConfig(t *testing.T) {
	b, err := os.ReadFile("../../deploy/config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, strategy := range []string{"relaxed", "default", "strict"} {
		environ := map[string]string{"VIGIL_STRATEGY": strategy}
		c, err := loadConfig("../../deploy/config.example.yaml", envMap(environ))
		if err != nil {
			t.Fatalf("example config: %v", err)
		}
		if err := c.validate(); err != nil {
			t.Fatalf("example config invalid: %v", err)
		}
		plain, err := loadConfig("", envMap(environ))
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.effective()
		if err != nil {
			t.Fatal(err)
		}
		want, err := plain.effective()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Config{}), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("strategy %s: the example differs from the defaults (-defaults +example):\n%s", strategy, diff)
		}
	}
	var commented []string
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "#   "); ok {
			commented = append(commented, rest)
		}
	}
	var examples Config
	if err := decodeYAML([]byte(strings.Join(commented, "\n")), &examples); err != nil {
		t.Fatalf("commented allow/deny examples: %v", err)
	}
	entries, err := examples.listEntries()
	if err != nil || len(entries) != 3 {
		t.Errorf("commented example entries = %d, %v; want 3", len(entries), err)
	}
}

func TestPublicURL(t *testing.T) {
	log := newLogger(io.Discard, "error", "text")
	for _, tc := range []struct{ listen, public, want string }{
		{"127.0.0.1:8080", "", "http://127.0.0.1:8080"},
		{"vigil.internal:80", "", "http://vigil.internal:80"},
		{"0.0.0.0:8080", "", ""},
		{":8080", "", ""},
		{"[::]:8080", "", ""},
		{"0.0.0.0:8080", "https://vigil.example.com/base", "https://vigil.example.com/base"},
	} {
		c := defaultConfig()
		c.Listen, c.PublicURL = tc.listen, tc.public
		u, err := publicURL(c, log)
		got := ""
		if u != nil {
			got = u.String()
		}
		if err != nil || got != tc.want {
			t.Errorf("publicURL(listen %q, public %q) = %q, %v; want %q", tc.listen, tc.public, got, err, tc.want)
		}
	}
}

// Credentials in upstream URLs (user:password@, a webhook's secret path)
// never reach logs, `vigil-proxy config` or validation errors.
func TestConfigURLCredentialsRedacted(t *testing.T) {
	c := defaultConfig()
	c.PyPI.Upstream = "https://ci:pypisecret1@mirror.example/pypi"
	c.NPM.Upstream = "https://ci:npmsecret2@registry.example/"
	c.Popularity.PyPIStatsURL = "https://u:statsecret3@stats.example"
	c.Webhook.URL = "https://hooks.example/services/T0/hooksecret4?token=hooksecret5"
	var logBuf strings.Builder
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("listening", "config", c)
	yml, err := c.redacted()
	if err != nil {
		t.Fatal(err)
	}
	bad := c
	bad.PyPI.Upstream = "ftp://ci:pypisecret1@mirror.example/"
	verr := bad.validate()
	for name, out := range map[string]string{"log": logBuf.String(), "config": string(yml), "validate": fmt.Sprint(verr)} {
		for _, secret := range []string{"pypisecret1", "npmsecret2", "statsecret3", "hooksecret4", "hooksecret5"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s output leaks %s:\n%s", name, secret, out)
			}
		}
	}
	if !strings.Contains(logBuf.String(), "mirror.example") || !strings.Contains(string(yml), "registry.example") {
		t.Errorf("redaction removed the hosts too:\n%s\n%s", logBuf.String(), yml)
	}
	if verr == nil || !strings.Contains(verr.Error(), "pypi.upstream") {
		t.Errorf("validate() = %v, want a pypi.upstream error", verr)
	}
}

// Values that parse but cannot work are refused, naming the variable.
func TestValidateNamesVariables(t *testing.T) {
	tests := []struct {
		name, value string
	}{
		{"VIGIL_LISTEN", "nope"},
		{"VIGIL_STRATEGY", "paranoid"},
		{"VIGIL_CACHE_TTL", "0"},
		{"VIGIL_CACHE_NEGATIVE_TTL", "0s"},
		{"VIGIL_UPSTREAM_CONNECT_TIMEOUT", "0"},
		{"VIGIL_UPSTREAM_HEADER_TIMEOUT", "0"},
		{"VIGIL_UPSTREAM_DOCUMENT_TIMEOUT", "0"},
		{"VIGIL_CACHE_MAX_MEMORY_MB", "0"},
		{"VIGIL_CACHE_MAX_DOCUMENT_MB", "9223372036854775807"},
		{"VIGIL_PYPI_FILE_HOSTS", ""},
		{"VIGIL_NPM_TARBALL_HOSTS", " , "},
		{"VIGIL_LOG_FORMAT", "xml"},
	}
	for _, tc := range tests {
		c, err := loadConfig("", envMap(map[string]string{tc.name: tc.value}))
		if err == nil {
			err = c.validate()
		}
		if err == nil || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s=%q: err = %v, want an error naming %s", tc.name, tc.value, err, tc.name)
		}
	}
}

func TestDurationRejectsNonFinite(t *testing.T) {
	for _, in := range []string{"NaNd", "Infd", "-Infd", "1e300d", "d"} {
		if got, err := parseDuration(in); err == nil {
			t.Errorf("parseDuration(%q) = %v, want an error", in, got)
		}
	}
}

// VIGIL_NPM_HOST_TOKENS: host=token pairs for listed tarball hosts only;
// every mistake is named by host, never by token, and `config` hides them.
func TestHostTokens(t *testing.T) {
	hosts := []string{"registry.example.com", "cdn.example.com:8443"}
	got, err := parseHostTokens(" cdn.example.com:8443 = s3cr3t-cdn-value ", hosts)
	if err != nil || len(got) != 1 || got[0].Value != "Bearer s3cr3t-cdn-value" {
		t.Fatalf("parse = %+v, %v; want one Bearer credential", got, err)
	}
	if !got[0].Host.Allows(&url.URL{Scheme: "https", Host: "cdn.example.com:8443"}) || got[0].Host.Allows(&url.URL{Scheme: "https", Host: "registry.example.com"}) {
		t.Errorf("credential host = %v, want only cdn.example.com:8443", got[0].Host.List())
	}
	if got, err := parseHostTokens("cdn.example.com:8443=Basic dXNlcjpwYXNz", hosts); err != nil || got[0].Value != "Basic dXNlcjpwYXNz" {
		t.Errorf("a full header value = %+v, %v; want it kept", got, err)
	}
	for _, bad := range []string{"evil.example.net=s3cr3t-value", "cdn.example.com:8443", "=s3cr3t-value", "cdn.example.com:8443=a,cdn.example.com:8443=s3cr3t-value"} {
		_, err := parseHostTokens(bad, hosts)
		if err == nil {
			t.Errorf("parse %q: no error", bad)
			continue
		}
		if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("parse %q: error leaks the token: %v", bad, err)
		}
	}
	c := defaultConfig()
	c.NPM.HostTokensEnv = "evil.example.net=s3cr3t-value"
	if err := c.validate(); err == nil || !strings.Contains(err.Error(), "not in npm.tarball_hosts") {
		t.Errorf("validate = %v, want the unlisted host refused", err)
	}
	out, err := c.redacted()
	if err != nil || strings.Contains(string(out), "s3cr3t") {
		t.Errorf("redacted config = %s, %v; want the tokens hidden", out, err)
	}
}

// The admin surface cannot share the registry's address: serve would fail
// to bind it with "address already in use; stop what uses the address",
// blaming another process for its own listener. Without credentials the
// admin surface is off, and its address does not matter.
func TestAdminOnTheRegistryAddressIsRefused(t *testing.T) {
	for _, pair := range [][2]string{{"127.0.0.1:18473", "127.0.0.1:18473"}, {"0.0.0.0:18473", "127.0.0.1:18473"}, {":18473", ":18473"}} {
		for _, cmd := range []string{"config", "serve"} {
			environ := map[string]string{"VIGIL_DATA_DIR": t.TempDir(), "VIGIL_LISTEN": pair[0], "VIGIL_ADMIN_LISTEN": pair[1],
				"VIGIL_ADMIN_TOKEN": "probe-admin-token-0123456789", "VIGIL_POPULARITY_ONLINE": "false", "VIGIL_MALWARE_FEED_URL": ""}
			code, _, stderr := runCLI(t, environ, "", cmd)
			want := fmt.Sprintf("admin.listen (VIGIL_ADMIN_LISTEN) %q: the same address as the registry's listen (VIGIL_LISTEN); give the admin surface its own port", pair[1])
			if code != exitUsage || !strings.Contains(stderr, want) {
				t.Errorf("%s, listen %s, admin %s: exit %d, stderr %q, want %q", cmd, pair[0], pair[1], code, stderr, want)
			}
		}
	}
	code, _, stderr := runCLI(t, map[string]string{"VIGIL_DATA_DIR": t.TempDir(), "VIGIL_LISTEN": "127.0.0.1:8081"}, "", "config")
	if code != exitOK {
		t.Errorf("no credentials, listen on the default admin address: exit %d, stderr %q", code, stderr)
	}
	if !sameListener("127.0.0.1:9000", "[::]:9000") || sameListener("127.0.0.1:0", "127.0.0.1:0") || sameListener("127.0.0.1:9000", "127.0.0.2:9000") {
		t.Errorf("sameListener: wildcards share a port, port 0 never does, two hosts do not")
	}
}

// A data_dir written with ~ (which nothing expands) is refused by config
// and serve; it made a directory named ~ under the working directory and
// kept the audit trail there.
func TestDataDirWithTildeIsRefused(t *testing.T) {
	t.Chdir(t.TempDir())
	environ := map[string]string{"VIGIL_DATA_DIR": "~/vigil-data"}
	code, _, stderr := runCLI(t, environ, "", "config")
	serveCode, _, serveErr := runCLI(t, environ, "", "serve", "--listen", "127.0.0.1:0", "--admin-listen", "")
	for name, out := range map[string]string{"config": stderr, "serve": serveErr} {
		if !strings.Contains(out, `data_dir (VIGIL_DATA_DIR) "~/vigil-data": ~ is not expanded here`) {
			t.Errorf("%s: stderr %q, want data_dir's ~ explained", name, out)
		}
	}
	if code != exitUsage || serveCode != exitUsage {
		t.Errorf("config exit %d, serve exit %d; want %d", code, serveCode, exitUsage)
	}
	if _, err := os.Stat("~"); !os.IsNotExist(err) {
		t.Errorf("a directory named ~ was created (stat: %v)", err)
	}
}

// An admin.trusted_origins entry that is not an origin is refused by
// config as serve refuses it at start, naming the key.
func TestTrustedOriginsValidatedByConfig(t *testing.T) {
	c := defaultConfig()
	c.Admin.TrustedOrigins = []string{"https://vigil-admin.example.com", "vigil.example.com", "https://x.example.com/path"}
	err := c.validate()
	if err == nil {
		t.Fatal("validate accepted origins without a scheme or with a path")
	}
	for _, bad := range []string{`admin.trusted_origins (VIGIL_ADMIN_TRUSTED_ORIGINS) "vigil.example.com": want scheme://host[:port]`, `"https://x.example.com/path"`} {
		if !strings.Contains(err.Error(), bad) {
			t.Errorf("validate = %v, want it to contain %s", err, bad)
		}
	}
	if strings.Contains(err.Error(), `"https://vigil-admin.example.com"`) {
		t.Errorf("validate refused a valid origin: %v", err)
	}
}

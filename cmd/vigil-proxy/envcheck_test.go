package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUnknownVariablesNameWhatWasMeant(t *testing.T) {
	environ := []string{
		"HOME=/root",
		"VIGIL_STORE_URL=postgres://vigil@db/vigil", // known
		"VIGIL_ADMIN_TOKEN_FILE=/run/secrets/t",     // known (*_FILE of a credential)
		"VIGIL_VIEWER_USER=alice",                   // known
		"VIGIL_STORE_URLS=postgres://vigil:hunter2@db/vigil",
		"VIGIL_NPM_TOKEN_FILE=/run/secrets/npm",
		"VIGIL_CACHE_TTl=5m",
		"VIGIL_SOMETHING_ELSE_ENTIRELY=1",
	}
	got := unknownVariables(environ)
	want := []unknownVariable{
		{Name: "VIGIL_CACHE_TTl", Hint: "did you mean VIGIL_CACHE_TTL?"},
		{Name: "VIGIL_NPM_TOKEN_FILE", Hint: "VIGIL_NPM_TOKEN has no _FILE form: set VIGIL_NPM_TOKEN itself"},
		{Name: "VIGIL_SOMETHING_ELSE_ENTIRELY"},
		{Name: "VIGIL_STORE_URLS", Hint: "did you mean VIGIL_STORE_URL?"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("unknown variables (-want +got):\n%s", diff)
	}
}

// Every variable the configuration reference lists (`config --env`, the
// credentials) is known, so none of them is ever reported.
func TestEveryDocumentedVariableIsKnown(t *testing.T) {
	var environ []string
	for _, name := range []string{
		"VIGIL_CONFIG", "VIGIL_NPM_TOKEN", "VIGIL_NPM_HOST_TOKENS", "VIGIL_STORE_PASSWORD", "VIGIL_STORE_PASSWORD_FILE",
		"VIGIL_ADMIN_TOKEN", "VIGIL_VIEWER_TOKEN", "VIGIL_REQUESTER_TOKEN", "VIGIL_REQUESTER_TOKEN_FILE",
		"VIGIL_ADMIN_PASSWORD_HASH", "VIGIL_VIEWER_PASSWORD_HASH_FILE", "VIGIL_ADMIN_USER",
		"VIGIL_WEBHOOK_SECRET", "VIGIL_WEBHOOK_SECRET_FILE", "VIGIL_SESSION_KEY", "VIGIL_SESSION_KEY_FILE",
	} {
		environ = append(environ, name+"=x")
	}
	c := defaultConfig()
	for _, ev := range envVars(&c) {
		environ = append(environ, ev.Name+"=x")
	}
	if got := unknownVariables(environ); len(got) != 0 {
		t.Errorf("documented variables reported as unknown: %v", got)
	}
}

// `vigil-proxy config` warns about a misspelt variable (a replica that
// would silently run on its own bbolt store instead of PostgreSQL) without
// printing its value, and still prints the configuration.
func TestConfigWarnsAboutUnknownVariables(t *testing.T) {
	t.Setenv("VIGIL_STORE_URLS", "postgres://vigil:hunter2-secret@db/vigil")
	code, out, errOut := runCLI(t, nil, "", "config")
	if code != exitOK {
		t.Fatalf("config exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "warning: VIGIL_STORE_URLS is not a vigil-proxy setting and is ignored (did you mean VIGIL_STORE_URL?)") {
		t.Errorf("stderr = %q, want a warning naming VIGIL_STORE_URLS and VIGIL_STORE_URL", errOut)
	}
	if strings.Contains(out+errOut, "hunter2-secret") {
		t.Errorf("output quotes the variable's value:\n%s\n%s", out, errOut)
	}
	if !strings.Contains(out, "listen: 127.0.0.1:8080") {
		t.Errorf("config output %q, want the effective configuration", out)
	}
}

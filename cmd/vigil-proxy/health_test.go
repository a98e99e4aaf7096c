package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthExitsZeroOnlyOn200(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
		w.Write([]byte("store: ok\n"))
	}))
	defer srv.Close()
	listen := strings.TrimPrefix(srv.URL, "http://")

	code, stdout, stderr := runCLI(t, map[string]string{"VIGIL_LISTEN": listen}, "", "health", "--path", "/readyz")
	if code != 0 {
		t.Fatalf("healthy server: exit %d, stderr %q", code, stderr)
	}
	if want := srv.URL + "/readyz: store: ok\n"; stdout != want {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}

	status = http.StatusServiceUnavailable
	code, _, stderr = runCLI(t, map[string]string{"VIGIL_LISTEN": listen}, "", "health", "--path", "/readyz")
	if code != exitUnhealthy {
		t.Errorf("503: exit %d, want %d", code, exitUnhealthy)
	}
	if !strings.Contains(stderr, "503 Service Unavailable") {
		t.Errorf("503: stderr %q does not name the status", stderr)
	}

	code, _, stderr = runCLI(t, nil, "", "health", "--url", refusedURL(t)+"/healthz")
	if code != exitUnhealthy || !strings.Contains(stderr, "unreachable") {
		t.Errorf("refused: exit %d, stderr %q; want %d and 'unreachable'", code, stderr, exitUnhealthy)
	}
}

func TestHealthRejectsBadListenAddress(t *testing.T) {
	code, _, stderr := runCLI(t, map[string]string{"VIGIL_LISTEN": "no-port"}, "", "health")
	if code != exitUsage || !strings.Contains(stderr, `"no-port"`) {
		t.Errorf("exit %d, stderr %q; want %d naming the address", code, stderr, exitUsage)
	}
}

// A --url that is no http(s) URL is a usage error (2) naming the flag, not
// an "unreachable" proxy (1).
func TestHealthRejectsBadURL(t *testing.T) {
	for _, bad := range []string{"not a url", "ftp://127.0.0.1/healthz", "127.0.0.1:8080/healthz", "http:///healthz"} {
		code, _, stderr := runCLI(t, nil, "", "health", "--url", bad)
		if want := fmt.Sprintf("vigil-proxy health: --url %q: want an http or https URL such as http://127.0.0.1:8080/healthz\n", bad); code != exitUsage || stderr != want {
			t.Errorf("--url %q: exit %d, stderr %q; want %d and %q", bad, code, stderr, exitUsage, want)
		}
	}
}

func TestProbeURLMapsWildcardsToLoopback(t *testing.T) {
	for listen, want := range map[string]string{
		"0.0.0.0:8080":   "http://127.0.0.1:8080/healthz",
		":8080":          "http://127.0.0.1:8080/healthz",
		"[::]:8080":      "http://[::1]:8080/healthz",
		"10.1.2.3:9000":  "http://10.1.2.3:9000/healthz",
		"localhost:8080": "http://localhost:8080/healthz",
	} {
		got, err := probeURL(listen, "healthz")
		if err != nil || got != want {
			t.Errorf("probeURL(%q) = %q, %v; want %q", listen, got, err, want)
		}
	}
}

func TestVersionPrintsTheBuildVersion(t *testing.T) {
	for _, arg := range []string{"version", "--version"} {
		code, stdout, _ := runCLI(t, nil, "", arg)
		if code != exitOK || stdout != "vigil-proxy "+version+"\n" {
			t.Errorf("%s: exit %d, stdout %q; want 0 and %q", arg, code, stdout, "vigil-proxy "+version+"\n")
		}
	}
}

// A --url with credentials (a probe through an authenticating proxy) never
// has its password printed, whether the probe fails, answers or the URL is
// refused.
func TestHealthNeverPrintsTheURLPassword(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer srv.Close()
	for _, u := range []string{
		strings.Replace(refusedURL(t), "http://", "http://probe:pw-Secret9@", 1) + "/healthz",
		strings.Replace(srv.URL, "http://", "http://probe:pw-Secret9@", 1) + "/healthz",
		"ftp://probe:pw-Secret9@127.0.0.1/healthz",
	} {
		_, stdout, stderr := runCLI(t, nil, "", "health", "--url", u)
		if strings.Contains(stdout+stderr, "pw-Secret9") || !strings.Contains(stdout+stderr, "probe:xxxxx@") {
			t.Errorf("--url %s printed %q %q, want the URL with its password redacted", u, stdout, stderr)
		}
	}
}

// A --url with a password is never printed with it, even when it cannot be
// parsed (a bad port, a space): the usage error shows the URL redacted.
func TestHealthBadURLHidesPassword(t *testing.T) {
	for _, bad := range []string{"http://probe:s3cret@127.0.0.1:80x/healthz", "http://probe:s3cret@bad host/healthz"} {
		code, stdout, stderr := runCLI(t, nil, "", "health", "--url", bad)
		if code != exitUsage || strings.Contains(stderr+stdout, "s3cret") || !strings.Contains(stderr, "--url") {
			t.Errorf("--url %q: exit %d, stderr %q; want %d, naming --url, without the password", bad, code, stderr, exitUsage)
		}
	}
}

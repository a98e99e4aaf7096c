package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
	"github.com/vigil-proxy/vigil-proxy/store"
	"github.com/vigil-proxy/vigil-proxy/store/pgstore/pgtest"
)

const (
	testAdminToken = "test-admin-token-0123456789"
	testSessionKey = "0123456789abcdef0123456789abcdef"
)

// replica is one `vigil-proxy serve` running in-process.
type replica struct {
	registry, admin string // base URLs
	stderr          *syncBuf
	cancel          context.CancelFunc
	done            chan int
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startReplica serves with environ plus its own listeners and data
// directory, and stops it when t ends.
func startReplica(t *testing.T, environ map[string]string, name string) *replica {
	t.Helper()
	env := map[string]string{}
	for k, v := range environ {
		env[k] = v
	}
	env["VIGIL_DATA_DIR"] = t.TempDir()
	env["VIGIL_LISTEN"] = freeAddr(t)
	env["VIGIL_ADMIN_LISTEN"] = freeAddr(t)
	env["VIGIL_STORE_REPLICA"] = name
	ctx, cancel := context.WithCancel(context.Background())
	r := &replica{registry: "http://" + env["VIGIL_LISTEN"], admin: "http://" + env["VIGIL_ADMIN_LISTEN"],
		stderr: &syncBuf{}, cancel: cancel, done: make(chan int, 1)}
	go func() {
		r.done <- run(ctx, []string{"serve"}, strings.NewReader(""), io.Discard, r.stderr, envMap(env))
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-r.done; code != exitOK {
			t.Errorf("replica %s exited %d: %s", name, code, r.stderr.String())
		}
	})
	// Start-up builds the name index: slow under the race detector on a
	// loaded machine, hence a longer wait than waitHealthy's.
	if _, ok := waitFor(startTimeout, func() bool {
		select {
		case code := <-r.done:
			r.done <- code
			return true
		default:
		}
		resp, err := http.Get(r.registry + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}); !ok || len(r.done) > 0 {
		t.Fatalf("replica %s did not become healthy: %s", name, r.stderr.String())
	}
	return r
}

// status GETs url and returns the status code.
func status(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// adminCall sends a bearer-authenticated JSON request and decodes the reply.
func adminCall(t *testing.T, method, url string, body, v any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("%s %s: decode: %v", method, url, err)
		}
	}
	return resp.StatusCode
}

// waitFor polls cond every 10ms until it holds or d passes, and returns how
// long it took.
func waitFor(d time.Duration, cond func() bool) (time.Duration, bool) {
	start := time.Now()
	for time.Since(start) < d {
		if cond() {
			return time.Since(start), true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start), cond()
}

func TestServeTwoReplicasOnPostgres(t *testing.T) {
	c := pgtest.Start(t)
	fake := fakePyPI(t)
	environ := checkEnv(t, fake)
	environ["VIGIL_STORE_URL"] = c.URL(c.NewDatabase(t))
	environ["VIGIL_STORE_PASSWORD"] = pgtest.Password
	// Long enough that stopping PostgreSQL and the next requests (under
	// -race on a loaded machine) fit in it; with 2 s the "within max_stale"
	// checks below depended on how long pg_ctl stop took.
	environ["VIGIL_STORE_MAX_STALE"] = "10s"
	environ["VIGIL_ADMIN_TOKEN"] = testAdminToken
	environ["VIGIL_SESSION_KEY"] = testSessionKey
	a := startReplica(t, environ, "replica-a")
	b := startReplica(t, environ, "replica-b")

	// A refusal on B shows in A's audit API, naming B.
	if got := status(t, b.registry+"/pypi/simple/young-pkg/"); got != http.StatusForbidden {
		t.Fatalf("GET /pypi/simple/young-pkg/ on B = %d, want 403 (DEP-002)", got)
	}
	var page struct {
		Events []store.Event `json:"events"`
	}
	took, ok := waitFor(30*time.Second, func() bool {
		adminCall(t, http.MethodGet, a.admin+"/api/v1/events?package=young-pkg&kind=decision", nil, &page)
		return len(page.Events) > 0
	})
	if !ok {
		t.Fatalf("B's refusal not in A's audit API after %s", took)
	}
	if ev := page.Events[0]; ev.Replica != "replica-b" || ev.Verdict != "block" {
		t.Errorf("A's audit API shows %+v, want a block recorded by replica-b", ev)
	}

	// An allow entry created on A takes effect on B. The 2 s promise is
	// measured on a non-race build by deploy/e2e (TestReplicaPropagationLatency);
	// here, under -race on a loaded machine, the bound only catches a replica
	// that never sees the write.
	if got := status(t, b.registry+"/pypi/simple/young-pkg/"); got != http.StatusForbidden {
		t.Fatalf("B before the allow = %d, want 403", got)
	}
	code := adminCall(t, http.MethodPost, a.admin+"/api/v1/lists",
		map[string]any{"kind": "allow", "ecosystem": "pypi", "pattern": "young-pkg", "reason": "reviewed"}, nil)
	if code != http.StatusCreated && code != http.StatusOK {
		t.Fatalf("POST /api/v1/lists on A = %d", code)
	}
	took, ok = waitFor(20*time.Second, func() bool { return status(t, b.registry+"/pypi/simple/young-pkg/") == http.StatusOK })
	if !ok {
		t.Fatalf("allow made on A not effective on B after %s", took)
	}
	t.Logf("allow on A effective on B after %s", took)

	// The watchlist is shared: a name missing upstream when A was asked is
	// known to B when it appears upstream later, and B marks it appeared.
	if got := status(t, a.registry+"/pypi/simple/hallucinated-pkg/"); got != http.StatusNotFound {
		t.Fatalf("GET a name upstream lacks on A = %d, want 404", got)
	}
	// Registered after A first refused it (a slopsquat; a package that
	// predates the refusal would be cleared from the watchlist instead).
	fake.SetProject(pypitest.Project{Name: "hallucinated-pkg", Dists: []pypitest.Dist{{Version: "0.0.1", Uploaded: time.Now().Add(2 * time.Second)}}})
	if got := status(t, b.registry+"/pypi/simple/hallucinated-pkg/"); got != http.StatusForbidden {
		t.Errorf("GET the newly appeared name on B = %d, want 403", got)
	}
	var wl struct {
		Entries []store.WatchEntry `json:"entries"`
	}
	var raw map[string]json.RawMessage
	adminCall(t, http.MethodGet, a.admin+"/api/v1/watchlist", nil, &raw)
	for _, v := range raw {
		var list []store.WatchEntry
		if json.Unmarshal(v, &list) == nil && len(list) > 0 {
			wl.Entries = list
		}
	}
	found := false
	for _, w := range wl.Entries {
		if w.Name == "hallucinated-pkg" {
			found = true
			if w.Appeared.IsZero() {
				t.Errorf("watch entry recorded by A not marked appeared by B: %+v", w)
			}
		}
	}
	if !found {
		t.Errorf("A's watchlist API lacks hallucinated-pkg: %v", raw)
	}

	// The database goes away: both replicas judge against the lists they
	// loaded until store.max_stale (10s), then fail closed and unready.
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if got := status(t, b.registry+"/readyz"); got != http.StatusOK {
		t.Errorf("B /readyz right after the database stopped = %d, want 200 (within max_stale)", got)
	}
	if got := status(t, b.registry+"/pypi/simple/young-pkg/"); got != http.StatusOK {
		t.Errorf("B install within max_stale = %d, want 200 from the last loaded lists", got)
	}
	took, ok = waitFor(time.Minute, func() bool { return status(t, b.registry+"/readyz") == http.StatusServiceUnavailable })
	if !ok {
		t.Fatalf("B /readyz still ready %s after the database stopped, want 503 past max_stale", took)
	}
	t.Logf("B unready %s after the database stopped (max_stale 10s)", took)
	if got := status(t, b.registry+"/pypi/simple/mature-pkg/"); got != http.StatusServiceUnavailable {
		t.Errorf("B install past max_stale = %d, want a 503 refusal (fail closed)", got)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	if took, ok := waitFor(time.Minute, func() bool { return status(t, a.registry+"/readyz") == http.StatusOK }); !ok {
		t.Errorf("A /readyz not ready %s after the database came back", took)
	}
	if got := status(t, a.registry+"/pypi/simple/mature-pkg/"); got != http.StatusOK {
		t.Errorf("A install after recovery = %d, want 200", got)
	}
}

func TestStoreConfigRedactedAndValidated(t *testing.T) {
	const pw, urlPW = "envpassword-Secret1", "urlpassword-Secret2"
	environ := map[string]string{
		"VIGIL_STORE_URL":      "postgres://vigil:" + urlPW + "@db.example:5432/vigil?sslmode=verify-full&sslrootcert=" + testCAFile(t),
		"VIGIL_STORE_PASSWORD": pw,
	}
	code, out, errOut := runCLI(t, environ, "", "config")
	if code != exitOK {
		t.Fatalf("config exit %d: %s", code, errOut)
	}
	cfg, err := loadConfig("", envMap(environ))
	if err != nil {
		t.Fatal(err)
	}
	var logBuf strings.Builder
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("listening", "config", cfg)
	bad := environ
	bad["VIGIL_STORE_URL"] = "mysql://vigil:" + urlPW + "@db.example/vigil"
	badCode, _, badErr := runCLI(t, bad, "", "config")
	for name, s := range map[string]string{"config": out + errOut, "log": logBuf.String(), "validate": badErr} {
		for _, secret := range []string{pw, urlPW} {
			if strings.Contains(s, secret) {
				t.Errorf("%s output leaks %s:\n%s", name, secret, s)
			}
		}
	}
	if !strings.Contains(out, "db.example:5432") || !strings.Contains(logBuf.String(), "db.example") {
		t.Errorf("redaction removed the host too:\n%s\n%s", out, logBuf.String())
	}
	if badCode != exitUsage || !strings.Contains(badErr, "store.url (VIGIL_STORE_URL)") {
		t.Errorf("config with a mysql URL = exit %d %q, want a usage error naming store.url", badCode, badErr)
	}
}

func TestPostgresNeedsSessionKeyForLogins(t *testing.T) {
	c := pgtest.Start(t)
	fake := fakePyPI(t)
	environ := checkEnv(t, fake)
	environ["VIGIL_STORE_URL"] = c.URL(c.NewDatabase(t))
	environ["VIGIL_STORE_PASSWORD"] = pgtest.Password
	environ["VIGIL_ADMIN_PASSWORD_HASH"] = "$2a$04$0123456789012345678901uJ0W3dJ7H1k8mZ3V6o9gkz3V5rFq5bK"
	environ["VIGIL_LISTEN"] = freeAddr(t)
	environ["VIGIL_ADMIN_LISTEN"] = freeAddr(t)
	code, _, errOut := runCLI(t, environ, "", "serve")
	if code != exitUsage || !strings.Contains(errOut, "VIGIL_SESSION_KEY is required") {
		t.Errorf("serve on PostgreSQL with UI logins and no session key = exit %d %q, want a clear refusal", code, errOut)
	}
	if strings.Contains(errOut, pgtest.Password) {
		t.Errorf("error output leaks the store password: %s", errOut)
	}
	// A wrong password fails start-up without printing it.
	environ["VIGIL_STORE_PASSWORD"] = "wrong-" + pgtest.Password
	code, _, errOut = runCLI(t, environ, "", "serve")
	if code != exitUsage || strings.Contains(errOut, "wrong-"+pgtest.Password) || !strings.Contains(errOut, "open store") {
		t.Errorf("serve with a wrong store password = exit %d %q, want an open-store error without the password", code, errOut)
	}
}

// testCAFile writes a PEM certificate (httptest's) for a store.url's
// sslrootcert, which config reads as serve does.
func testCAFile(t *testing.T) string {
	t.Helper()
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

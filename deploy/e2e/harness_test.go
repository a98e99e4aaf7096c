package e2e

// The harness: build the proxy once, start it per test, run client tools with
// a clean environment, read the audit trail back. It is ecosystem-neutral;
// pypiEnv (pip_test.go) and its npm counterpart add the upstream settings.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/store"
	"github.com/vigil-proxy/vigil-proxy/store/boltstore"
)

const (
	// healthTimeout bounds how long a starting proxy may take to answer
	// /healthz.
	healthTimeout = 2 * time.Minute
	// stopTimeout bounds a graceful shutdown (the proxy's own grace is 30 s).
	stopTimeout = 40 * time.Second
	// cmdTimeout bounds one client command run by runCmd (pip, npm, poetry…
	// on a loaded 2-core machine; a command that finishes is not slowed).
	cmdTimeout = 5 * time.Minute
	// unreachable is a loopback URL nothing listens on (TCP port 1). Every
	// upstream the test does not set points here, so a proxy under test can
	// never reach the internet.
	unreachable = "http://127.0.0.1:1"
)

// suite is the state TestMain prepares for every test: the proxy binary and
// the transcript of client output. It is the only package-level variable.
var suite struct {
	bin      string // path of the built vigil-proxy binary
	buildErr error  // why the build failed; startProxy reports it

	mu         sync.Mutex
	transcript []transcriptEntry
}

// transcriptEntry is one client command and its exact output.
type transcriptEntry struct {
	test, title, cmdline, output string
	exit                         int
}

func TestMain(m *testing.M) { os.Exit(runMain(m)) }

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "vigil-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: create build directory:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	suite.bin, suite.buildErr = buildProxy(dir)
	code := m.Run()
	if path := os.Getenv("VIGIL_E2E_TRANSCRIPT"); path != "" {
		if err := writeTranscript(path); err != nil {
			fmt.Fprintln(os.Stderr, "e2e:", err)
			code = 1
		}
	}
	return code
}

// buildProxy compiles ./cmd/vigil-proxy from the module root into dir.
func buildProxy(dir string) (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("go toolchain not found in PATH: %w", err)
	}
	// A cold build compiles the tree-sitter parsers' C sources too, while
	// the other test packages run: 15 min, well within the test timeout.
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	gomod, err := exec.CommandContext(ctx, goBin, "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	if root == "." || root == "" {
		return "", errors.New("go env GOMOD: not inside a module")
	}
	bin := filepath.Join(dir, "vigil-proxy")
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", bin, "./cmd/vigil-proxy")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/vigil-proxy: %w\n%s", err, out)
	}
	return bin, nil
}

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Proxy is a running vigil-proxy subprocess.
type Proxy struct {
	// URL is the registry base URL, e.g. http://127.0.0.1:40123 (no slash).
	// PyPI clients use URL+"/pypi/simple/", npm clients URL+"/npm/".
	URL string
	// AdminURL is the admin listener's base URL; empty unless the env given
	// to startProxy set VIGIL_ADMIN_TOKEN.
	AdminURL string
	// AdminToken is the admin bearer token ("" without admin).
	AdminToken string
	// DataDir is the proxy's private state directory (store.db, cache.db).
	DataDir string

	t        testing.TB
	cmd      *exec.Cmd
	logs     *syncBuffer
	done     chan struct{} // closed when the process has exited
	stopOnce sync.Once
	stopped  atomic.Bool // set by Stop and Kill; read by the cleanup
}

// freePort returns a loopback address with a currently unused TCP port.
func freePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// baseEnv is the environment every child process starts from: PATH, a
// private HOME and a UTF-8 locale. Nothing else leaks in from the developer's
// environment (PIP_*, npm_config_*, VIGIL_*, proxies).
func baseEnv(home string) map[string]string {
	env := map[string]string{
		"PATH":   os.Getenv("PATH"),
		"HOME":   home,
		"LANG":   "C.UTF-8",
		"LC_ALL": "C.UTF-8",
	}
	if tmp := os.Getenv("TMPDIR"); tmp != "" {
		env["TMPDIR"] = tmp
	}
	return env
}

func envList(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// startProxy launches the built vigil-proxy with env layered over safe test
// defaults and waits until /healthz answers 200. Defaults: a free loopback
// port, admin disabled, a private data directory, JSON debug logs,
// popularity lookups offline, the default strategy, and every upstream
// pointed at an unreachable loopback port. Setting VIGIL_ADMIN_TOKEN (at
// least 16 characters; use randomToken) also starts the admin listener on a
// free port (AdminURL). The proxy is stopped by t.Cleanup if the test does not call
// Stop; its logs are printed when the test fails (always with
// VIGIL_E2E_PROXY_LOGS=1).
func startProxy(t testing.TB, env map[string]string) *Proxy {
	t.Helper()
	if suite.buildErr != nil {
		t.Fatalf("vigil-proxy binary could not be built: %v", suite.buildErr)
	}
	dataDir := t.TempDir()
	var lastLogs string
	for attempt := 1; attempt <= 3; attempt++ {
		p, retry := tryStartProxy(t, dataDir, env)
		if p != nil {
			return p
		}
		lastLogs = retry
	}
	t.Fatalf("vigil-proxy did not start (port taken three times):\n%s", lastLogs)
	return nil
}

// tryStartProxy makes one start attempt. It returns nil and the logs when the
// listen port was taken (a race with another process), so the caller retries.
func tryStartProxy(t testing.TB, dataDir string, env map[string]string) (*Proxy, string) {
	t.Helper()
	vars := map[string]string{
		"VIGIL_LISTEN":                       freePort(t),
		"VIGIL_ADMIN_LISTEN":                 "",
		"VIGIL_DATA_DIR":                     dataDir,
		"VIGIL_LOG_FORMAT":                   "json",
		"VIGIL_LOG_LEVEL":                    "debug",
		"VIGIL_STRATEGY":                     "default",
		"VIGIL_POPULARITY_ONLINE":            "false",
		"VIGIL_POPULARITY_PYPISTATS_URL":     unreachable,
		"VIGIL_POPULARITY_NPM_DOWNLOADS_URL": unreachable,
		"VIGIL_PYPI_UPSTREAM":                unreachable,
		"VIGIL_PYPI_FILE_HOSTS":              "127.0.0.1:1",
		"VIGIL_NPM_UPSTREAM":                 unreachable,
		"VIGIL_NPM_TARBALL_HOSTS":            "127.0.0.1:1",
		"VIGIL_MALWARE_FEED_URL":             unreachable,
	}
	if env["VIGIL_ADMIN_TOKEN"] != "" {
		vars["VIGIL_ADMIN_LISTEN"] = freePort(t)
	}
	for k, v := range env {
		vars[k] = v
	}
	home := filepath.Join(dataDir, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatalf("create proxy home: %v", err)
	}
	full := baseEnv(home)
	for k, v := range vars {
		full[k] = v
	}

	p := &Proxy{
		URL:        "http://" + vars["VIGIL_LISTEN"],
		AdminToken: vars["VIGIL_ADMIN_TOKEN"],
		DataDir:    dataDir,
		t:          t,
		logs:       &syncBuffer{},
		done:       make(chan struct{}),
	}
	if vars["VIGIL_ADMIN_LISTEN"] != "" {
		p.AdminURL = "http://" + vars["VIGIL_ADMIN_LISTEN"]
	}
	p.cmd = exec.Command(suite.bin, "serve")
	p.cmd.Env = envList(full)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start vigil-proxy: %v", err)
	}
	go func() {
		_ = p.cmd.Wait() // the exit status is read from ProcessState
		close(p.done)
	}()

	if err := p.waitHealthy(); err != nil {
		logs := p.logs.String()
		p.kill()
		if strings.Contains(logs, "address already in use") && env["VIGIL_LISTEN"] == "" {
			return nil, logs
		}
		t.Fatalf("vigil-proxy not healthy: %v\nproxy output:\n%s", err, logs)
	}
	t.Cleanup(func() {
		if !p.stopped.Load() {
			p.Stop()
		}
		if t.Failed() || os.Getenv("VIGIL_E2E_PROXY_LOGS") != "" {
			t.Logf("vigil-proxy output (%s):\n%s", p.URL, p.Logs())
		}
	})
	return p, ""
}

// waitHealthy polls /healthz until it answers 200, the process exits or
// healthTimeout passes.
func (p *Proxy) waitHealthy() error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(healthTimeout)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return fmt.Errorf("process exited early (%s)", p.cmd.ProcessState)
		default:
		}
		resp, err := client.Get(p.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("GET /healthz: %s", resp.Status)
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no healthy answer within %s: %v", healthTimeout, last)
}

func (p *Proxy) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// Kill ends the process at once (SIGKILL), as a crashed replica; the cleanup
// does not stop it again. It may be called from any goroutine.
func (p *Proxy) Kill() {
	p.stopped.Store(true)
	p.kill()
}

// Stop sends SIGTERM, waits for the process to exit and fails the test unless
// it exits with status 0 within stopTimeout. It is idempotent.
func (p *Proxy) Stop() {
	p.t.Helper()
	p.stopOnce.Do(func() {
		p.stopped.Store(true)
		select {
		case <-p.done:
			p.t.Errorf("vigil-proxy exited before Stop (%s):\n%s", p.cmd.ProcessState, p.Logs())
			return
		default:
		}
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			p.t.Errorf("SIGTERM vigil-proxy: %v", err)
		}
		select {
		case <-p.done:
		case <-time.After(stopTimeout):
			p.kill()
			p.t.Errorf("vigil-proxy did not exit within %s of SIGTERM", stopTimeout)
			return
		}
		if code := p.cmd.ProcessState.ExitCode(); code != 0 {
			p.t.Errorf("vigil-proxy exit status after SIGTERM: got %d, want 0\n%s", code, p.Logs())
		}
	})
}

// Logs returns everything the proxy wrote to stdout and stderr so far (JSON
// lines with the default VIGIL_LOG_FORMAT=json).
func (p *Proxy) Logs() string { return p.logs.String() }

// Events stops the proxy (if still running, so the audit batch is flushed
// and the bbolt lock released) and returns every audit event in
// <DataDir>/store.db, oldest first.
func (p *Proxy) Events(t testing.TB) []store.Event {
	t.Helper()
	p.Stop()
	st, err := boltstore.Open(filepath.Join(p.DataDir, "store.db"), boltstore.Options{})
	if err != nil {
		t.Fatalf("open audit store: %v", err)
	}
	defer st.Close()
	var all []store.Event
	q := store.EventQuery{Limit: 500}
	for {
		evs, next, err := st.Events(context.Background(), q)
		if err != nil {
			t.Fatalf("read audit events: %v", err)
		}
		all = append(all, evs...)
		if next == "" {
			break
		}
		q.Cursor = next
	}
	slices.Reverse(all)
	return all
}

// eventsFor returns the decision events about one canonical package name.
func eventsFor(evs []store.Event, pkg string) []store.Event {
	var out []store.Event
	for _, ev := range evs {
		if ev.Kind == store.KindDecision && ev.Package == pkg {
			out = append(out, ev)
		}
	}
	return out
}

// findEvent returns the first event with the verdict whose Rules include
// rule ("" matches any rule).
func findEvent(evs []store.Event, verdict, rule string) (store.Event, bool) {
	for _, ev := range evs {
		if ev.Verdict == verdict && (rule == "" || slices.Contains(ev.Rules, rule)) {
			return ev, true
		}
	}
	return store.Event{}, false
}

// describeEvents renders events compactly for failure messages.
func describeEvents(evs []store.Event) string {
	if len(evs) == 0 {
		return "  (none)"
	}
	var b strings.Builder
	for _, ev := range evs {
		client, _, _ := strings.Cut(ev.Client, " ") // pip appends a long JSON blob
		fmt.Fprintf(&b, "  %s %s %s ver=%q file=%q route=%s verdict=%s rules=%v client=%q reason=%q\n",
			ev.Kind, ev.Ecosystem, ev.Package, ev.Version, ev.File, ev.Route, ev.Verdict, ev.Rules, client, ev.Reason)
	}
	return b.String()
}

// runCmd runs name with args in dir (a fresh temp dir when empty), with the
// clean baseEnv (a fresh HOME) plus env, combined stdout+stderr captured and
// a cmdTimeout limit. It returns the output and the exit status (-1 when the
// command timed out, which also fails the test). The command and its output
// are logged if the test fails. A command that cannot be started fails the
// test at once.
func runCmd(t testing.TB, dir string, env map[string]string, name string, args ...string) (output string, exitCode int) {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	full := baseEnv(t.TempDir())
	for k, v := range env {
		full[k] = v
	}
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = envList(full)
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmdline := name + " " + strings.Join(args, " ")
	err := cmd.Run()
	output = out.String()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("$ %s\n%s", cmdline, output)
		}
	})
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Errorf("%s: timed out after %s", cmdline, cmdTimeout)
		return output, -1
	case errors.As(err, &exitErr):
		return output, exitErr.ExitCode()
	case err != nil:
		t.Fatalf("run %s: %v", cmdline, err)
	}
	return output, 0
}

// recordTranscript logs a client command's exact output (for the README)
// and keeps it for the VIGIL_E2E_TRANSCRIPT file.
func recordTranscript(t testing.TB, title, cmdline, output string, exit int) {
	t.Helper()
	t.Logf("%s (exit %d)\n$ %s\n%s", title, exit, cmdline, output)
	suite.mu.Lock()
	defer suite.mu.Unlock()
	suite.transcript = append(suite.transcript, transcriptEntry{test: t.Name(), title: title, cmdline: cmdline, output: output, exit: exit})
}

func writeTranscript(path string) error {
	suite.mu.Lock()
	entries := slices.Clone(suite.transcript)
	suite.mu.Unlock()
	slices.SortStableFunc(entries, func(a, b transcriptEntry) int { return strings.Compare(a.test, b.test) })
	var b strings.Builder
	for _, e := range entries {
		fmt.Fprintf(&b, "## %s — %s (exit %d)\n$ %s\n%s\n", e.test, e.title, e.exit, e.cmdline, strings.TrimRight(e.output, "\n"))
		b.WriteString("\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("write transcript: %w", err)
	}
	return nil
}

// requireTool finds a tool by absolute path or in PATH, failing the test with
// the install command when it is missing.
func requireTool(t testing.TB, name, install string) string {
	t.Helper()
	if filepath.IsAbs(name) {
		if _, err := os.Stat(name); err != nil {
			t.Fatalf("%s is required by this test and missing (%v); install it with: %s", name, err, install)
		}
		return name
	}
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is required by this test and not in PATH; install it with: %s", name, install)
	}
	return path
}

// httpGetBody GETs url and returns the body, failing the test unless the
// answer is 200.
func httpGetBody(t testing.TB, url string) string {
	t.Helper()
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		t.Fatalf("read %s: %v", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, b)
	}
	return string(b)
}

// AdminEvents queries GET /api/v1/events on the admin listener with the
// admin token until at least one event matches query (url.Values such as
// package=…&rule=…&verdict=block) or timeout passes, and returns the last
// page read. The proxy records audit events in batches, so a freshly
// blocked request may take a moment to appear. Requires VIGIL_ADMIN_TOKEN in
// startProxy's env.
func (p *Proxy) AdminEvents(t testing.TB, query url.Values, timeout time.Duration) []store.Event {
	t.Helper()
	if p.AdminURL == "" {
		t.Fatalf("AdminEvents: the proxy was started without VIGIL_ADMIN_TOKEN")
	}
	client := &http.Client{Timeout: 10 * time.Second}
	deadline := time.Now().Add(timeout)
	for {
		req, err := http.NewRequest(http.MethodGet, p.AdminURL+"/api/v1/events?"+query.Encode(), nil)
		if err != nil {
			t.Fatalf("AdminEvents: %v", err)
		}
		req.Header.Set("Authorization", "Bearer "+p.AdminToken)
		req.Header.Set("Accept", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET /api/v1/events: %v", err)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
		resp.Body.Close()
		if err != nil {
			t.Fatalf("read /api/v1/events: %v", err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /api/v1/events?%s: %s\n%s", query.Encode(), resp.Status, body)
		}
		var page struct {
			Events []store.Event `json:"events"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatalf("decode /api/v1/events: %v\n%s", err, body)
		}
		if len(page.Events) > 0 || time.Now().After(deadline) {
			return page.Events
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// randomToken returns a fresh 48-hex-digit token for VIGIL_ADMIN_TOKEN.
func randomToken(t testing.TB) string {
	t.Helper()
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random token: %v", err)
	}
	return hex.EncodeToString(b)
}

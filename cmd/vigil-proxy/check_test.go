package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
)

const day = 24 * time.Hour

// runCLI runs the CLI in-process and returns its exit code and output.
func runCLI(t *testing.T, environ map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr, envMap(environ))
	return code, stdout.String(), stderr.String()
}

// refusedURL is an address that refuses connections: nothing listens there
// (a port outside the ephemeral range, which no test server listening on
// port 0 can take meanwhile; see freeAddr).
func refusedURL(t *testing.T) string {
	t.Helper()
	return "http://" + freeAddr(t)
}

func fakePyPI(t *testing.T) *pypitest.Server {
	old := time.Now().Add(-400 * day)
	repo := map[string]string{"Source": "https://github.com/example/x"}
	return pypitest.NewServer(t,
		pypitest.Project{Name: "mature-pkg", ProjectURLs: repo, Dists: []pypitest.Dist{{Version: "1.0.0", Uploaded: old}, {Version: "1.1.0", Uploaded: old}}},
		pypitest.Project{Name: "young-pkg", ProjectURLs: repo, Dists: []pypitest.Dist{{Version: "0.1.0", Uploaded: time.Now().Add(-5 * day)}}},
	)
}

func checkEnv(t *testing.T, fake *pypitest.Server) map[string]string {
	return map[string]string{
		"VIGIL_DATA_DIR":          t.TempDir(),
		"VIGIL_PYPI_UPSTREAM":     fake.URL,
		"VIGIL_PYPI_FILE_HOSTS":   fake.FilesHost(),
		"VIGIL_NPM_UPSTREAM":      refusedURL(t),
		"VIGIL_POPULARITY_ONLINE": "false",
		"VIGIL_MALWARE_FEED_URL":  refusedURL(t),
	}
}

func TestCheckDirectExitCodes(t *testing.T) {
	fake := fakePyPI(t)
	environ := checkEnv(t, fake)

	code, out, errOut := runCLI(t, environ, "", "check", "pypi", "mature-pkg")
	if code != exitOK || !strings.HasPrefix(out, "ALLOW pypi mature-pkg") && !strings.HasPrefix(out, "WARN pypi mature-pkg") {
		t.Errorf("mature: exit %d, out %q, err %q", code, out, errOut)
	}
	code, out, _ = runCLI(t, environ, "", "check", "pypi", "young-pkg")
	if code != exitBlocked || !strings.HasPrefix(out, "BLOCK pypi young-pkg") || !strings.Contains(out, "DEP-002") {
		t.Errorf("young: exit %d, out %q", code, out)
	}
	code, out, _ = runCLI(t, environ, "", "check", "pypi", "mature-pkg==9.9.9")
	if code != exitBlocked || !strings.Contains(out, "DEP-007") || !strings.Contains(out, "1.1.0") {
		t.Errorf("nonexistent version: exit %d, out %q", code, out)
	}
	code, _, errOut = runCLI(t, environ, "", "check", "pypi", "bad name!")
	if code != exitUsage {
		t.Errorf("invalid name: exit %d, stderr %q", code, errOut)
	}
	code, _, _ = runCLI(t, environ, "", "check")
	if code != exitUsage {
		t.Errorf("no arguments: exit %d, want 2", code)
	}
}

func TestCheckJSONLines(t *testing.T) {
	fake := fakePyPI(t)
	code, out, errOut := runCLI(t, checkEnv(t, fake), "", "check", "--json", "pypi", "mature-pkg", "young-pkg", "no-such-pkg-here")
	if code != exitBlocked {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var reports []policy.Report
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var r policy.Report
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %q is not JSON: %v", sc.Text(), err)
		}
		reports = append(reports, r)
	}
	if len(reports) != 3 {
		t.Fatalf("got %d lines, want 3:\n%s", len(reports), out)
	}
	want := []struct {
		name    string
		verdict policy.Verdict
		rule    string
	}{{"mature-pkg", policy.Warn, ""}, {"young-pkg", policy.Block, "DEP-002"}, {"no-such-pkg-here", policy.Block, "DEP-001"}}
	for i, w := range want {
		r := reports[i]
		if r.Ecosystem != policy.PyPI || r.Name != w.name {
			t.Errorf("line %d: %s %s", i, r.Ecosystem, r.Name)
		}
		if w.rule != "" && (r.Verdict != w.verdict || !hasRule(r, w.rule)) {
			t.Errorf("%s: verdict %s findings %+v, want %s with %s", w.name, r.Verdict, r.Findings, w.verdict, w.rule)
		}
		if w.rule == "" && r.Verdict == policy.Block {
			t.Errorf("%s blocked: %+v", w.name, r.Findings)
		}
	}
	// The raw JSON has the documented field names.
	first := strings.SplitN(out, "\n", 2)[0]
	for _, key := range []string{`"ecosystem"`, `"name"`, `"verdict"`, `"findings"`} {
		if !strings.Contains(first, key) {
			t.Errorf("JSON line lacks %s: %s", key, first)
		}
	}
}

func hasRule(r policy.Report, id string) bool {
	for _, f := range r.Findings {
		if f.Rule == id {
			return true
		}
	}
	return false
}

func TestCheckOfflineWithoutNetwork(t *testing.T) {
	environ := map[string]string{
		"VIGIL_DATA_DIR":                     t.TempDir(),
		"VIGIL_PYPI_UPSTREAM":                refusedURL(t),
		"VIGIL_NPM_UPSTREAM":                 refusedURL(t),
		"VIGIL_POPULARITY_PYPISTATS_URL":     refusedURL(t),
		"VIGIL_POPULARITY_NPM_DOWNLOADS_URL": refusedURL(t),
	}
	code, out, errOut := runCLI(t, environ, "", "check", "--offline", "pypi", "reqeusts")
	if code != exitBlocked || !strings.Contains(out, "DEP-003") || !strings.Contains(out, "requests") {
		t.Errorf("offline typosquat: exit %d, out %q, err %q", code, out, errOut)
	}
	code, out, _ = runCLI(t, environ, "", "check", "--offline", "pypi", "requests")
	if code != exitOK || !strings.HasPrefix(out, "ALLOW pypi requests") {
		t.Errorf("offline popular: exit %d, out %q", code, out)
	}
	code, out, _ = runCLI(t, environ, "", "check", "--offline", "npm", "expresss")
	if code != exitBlocked || !strings.Contains(out, "express") {
		t.Errorf("offline npm typosquat: exit %d, out %q", code, out)
	}
	// the corpus holds crossenv as removed malware (npm's 0.0.2-security
	// holding package): refused as online, whatever its download count
	code, out, _ = runCLI(t, environ, "", "check", "--offline", "npm", "crossenv")
	if code != exitBlocked || !strings.Contains(out, "MAL-001 block npm replaced `crossenv` with a security holding package") {
		t.Errorf("offline removed malware: exit %d, out %q", code, out)
	}
	// a known name below the popular snapshot has its corpus count: no
	// "download count unknown" warning
	code, out, _ = runCLI(t, environ, "", "check", "--offline", "npm", "geostats")
	if code != exitOK || !strings.HasPrefix(out, "ALLOW npm geostats\n") || strings.Contains(out, "DEP-004") {
		t.Errorf("offline known name: exit %d, out %q", code, out)
	}
}

func TestCheckOfflineBulkFromStdin(t *testing.T) {
	var in strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&in, "generated-name-%d\n", i)
	}
	in.WriteString("reqeusts\n# a comment\n\nrequests\n")
	environ := map[string]string{"VIGIL_DATA_DIR": t.TempDir(), "VIGIL_PYPI_UPSTREAM": refusedURL(t)}
	code, out, errOut := runCLI(t, environ, in.String(), "check", "--offline", "--json", "pypi", "-")
	if code != exitBlocked {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 10002 {
		t.Fatalf("got %d result lines, want 10002", len(lines))
	}
	if !strings.Contains(lines[10000], `"name":"reqeusts"`) || !strings.Contains(lines[10000], `"verdict":"block"`) {
		t.Errorf("typosquat line = %s", lines[10000])
	}
}

func TestCheckAgainstRunningProxy(t *testing.T) {
	fake := fakePyPI(t)
	environ := checkEnv(t, fake)
	environ["VIGIL_ADMIN_TOKEN"] = "test-admin-token-0123456789"
	addr := freeAddr(t)
	environ["VIGIL_LISTEN"] = addr
	environ["VIGIL_ADMIN_LISTEN"] = freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	var stderr bytes.Buffer
	go func() {
		done <- run(ctx, []string{"serve"}, strings.NewReader(""), &bytes.Buffer{}, &stderr, envMap(environ))
	}()
	waitHealthy(t, "http://"+addr)
	code, out, errOut := runCLI(t, map[string]string{}, "", "check", "--proxy", "http://"+addr, "pypi", "young-pkg")
	if code != exitBlocked || !strings.Contains(out, "DEP-002") {
		t.Errorf("check --proxy: exit %d out %q err %q", code, out, errOut)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("serve exited %d: %s", code, stderr.String())
	}
}

// startTimeout bounds how long an in-process serve may take to answer
// /healthz. Start-up builds the typosquat name index, which under the race
// detector on a loaded 2-core machine took more than 45 s; a healthy start
// returns as soon as it answers, so the bound only decides when to give up.
const startTimeout = 3 * time.Minute

func waitHealthy(t *testing.T, base string) {
	t.Helper()
	start := time.Now()
	for time.Since(start) < startTimeout {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				t.Logf("%s healthy after %s", base, time.Since(start).Round(time.Millisecond))
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never became healthy within %s", base, startTimeout)
}

// SIGTERM (a cancelled context) lets an in-flight download finish before
// the server exits.
func TestServeFinishesInFlightDownloadsOnShutdown(t *testing.T) {
	fake := fakePyPI(t)
	f := fake.Files("mature-pkg")[0]
	fake.SetFault(f.Path, pypitest.Fault{Delay: 800 * time.Millisecond})
	environ := checkEnv(t, fake)
	addr := freeAddr(t)
	environ["VIGIL_LISTEN"] = addr
	environ["VIGIL_ADMIN_LISTEN"] = ""
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	var stderr bytes.Buffer
	go func() {
		done <- run(ctx, []string{"serve"}, strings.NewReader(""), &bytes.Buffer{}, &stderr, envMap(environ))
	}()
	base := "http://" + addr
	waitHealthy(t, base)
	type result struct {
		status int
		n      int
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get(base + "/pypi/files/mature-pkg/" + f.Filename)
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		_, err = buf.ReadFrom(resp.Body)
		got <- result{status: resp.StatusCode, n: buf.Len(), err: err}
	}()
	// Shut down only once the download is in flight: upstream has the file
	// request and holds it for the fault's delay. A fixed sleep here let a
	// loaded machine cancel before the request reached the proxy.
	if took, ok := waitFor(30*time.Second, func() bool { return fake.Requests(f.Path) > 0 }); !ok {
		t.Fatalf("the download did not reach upstream within %s", took)
	}
	cancel()
	r := <-got
	if r.err != nil || r.status != http.StatusOK || int64(r.n) != f.Size {
		t.Errorf("in-flight download during shutdown: status %d, %d of %d bytes, err %v", r.status, r.n, f.Size, r.err)
	}
	if code := <-done; code != exitOK {
		t.Errorf("serve exited %d: %s", code, stderr.String())
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Errorf("server still answering after shutdown")
	}
}

// A listener that cannot bind must not leave the other listener (or any
// background worker) running after serve returns.
func TestServeListenFailureStopsEverything(t *testing.T) {
	fake := fakePyPI(t)
	environ := checkEnv(t, fake)
	environ["VIGIL_ADMIN_TOKEN"] = "test-admin-token-0123456789"
	addr := freeAddr(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	environ["VIGIL_LISTEN"] = addr
	environ["VIGIL_ADMIN_LISTEN"] = busy.Addr().String()
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"serve"}, strings.NewReader(""), &bytes.Buffer{}, &stderr, envMap(environ))
	if code == exitOK || !strings.Contains(stderr.String(), "listen "+busy.Addr().String()) {
		t.Fatalf("serve with a busy admin port: exit %d, stderr %q", code, stderr.String())
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("registry listener still bound after serve returned: %v", err)
	}
	ln.Close()
}

// One bad line on stdin (far too long, or malformed) is reported as an
// error for that line; every other name is still judged. CRLF is accepted.
func TestCheckStdinBadLinesKeepOthers(t *testing.T) {
	in := "requests\r\n" + strings.Repeat("x", 2<<20) + "\r\nbroken==\r\nreqeusts\r\n"
	environ := map[string]string{"VIGIL_DATA_DIR": t.TempDir(), "VIGIL_PYPI_UPSTREAM": refusedURL(t)}
	code, out, errOut := runCLI(t, environ, in, "check", "--offline", "--json", "pypi", "-")
	if code != exitUsage {
		t.Errorf("exit %d, want %d (some names could not be judged); stderr %q", code, exitUsage, errOut)
	}
	var got []string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var rep policy.Report
		if err := json.Unmarshal(sc.Bytes(), &rep); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		got = append(got, fmt.Sprintf("%s %s error=%t", rep.Name, rep.Verdict, rep.Error != ""))
	}
	want := []string{
		"requests allow error=false",
		strings.Repeat("x", 64) + "... block error=true",
		"broken block error=true",
		"reqeusts block error=false",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results mismatch (-want +got):\n%s", diff)
	}
}

func TestReadLineBounds(t *testing.T) {
	const limit = 8
	tests := []struct {
		in      string
		want    []string
		tooLong []bool
	}{
		{"abc\r\ndef", []string{"abc", "def"}, []bool{false, false}},
		{"12345678\r\nx\n", []string{"12345678", "x", ""}, []bool{false, false, false}},
		{"123456789\nx", []string{"12345678", "x"}, []bool{true, false}},
		{"1234567890\r\n", []string{"12345678", ""}, []bool{true, false}},
		{strings.Repeat("y", 100) + "\nz", []string{"yyyyyyyy", "z"}, []bool{true, false}},
	}
	for _, tc := range tests {
		br := bufio.NewReaderSize(strings.NewReader(tc.in), 16)
		var got []string
		var long []bool
		for {
			line, tooLong, err := readLine(br, limit)
			got, long = append(got, line), append(long, tooLong)
			if err != nil {
				break
			}
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("readLine(%q) lines (-want +got):\n%s", tc.in, diff)
		}
		if diff := cmp.Diff(tc.tooLong, long); diff != "" {
			t.Errorf("readLine(%q) tooLong (-want +got):\n%s", tc.in, diff)
		}
	}
}

// After serve returns nothing it started is left running: no workers, no
// listeners, no upstream keep-alive connections.
func TestServeLeavesNoGoroutines(t *testing.T) {
	fake := fakePyPI(t)
	environ := checkEnv(t, fake)
	environ["VIGIL_ADMIN_TOKEN"] = "test-admin-token-0123456789"
	addr := freeAddr(t)
	environ["VIGIL_LISTEN"] = addr
	environ["VIGIL_ADMIN_LISTEN"] = freeAddr(t)
	// Goroutines that run before serve starts are not serve's: an earlier
	// test (any, under -shuffle) may leave one that ends later.
	before := map[string]bool{}
	for _, g := range goroutineStacks() {
		before[goroutineID(g)] = true
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"serve"}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, envMap(environ))
	}()
	waitHealthy(t, "http://"+addr)
	client := &http.Client{Transport: &http.Transport{}}
	for _, p := range []string{"/pypi/simple/mature-pkg/", "/pypi/simple/young-pkg/", "/pypi/simple/no-such-pkg/"} {
		resp, err := client.Get("http://" + addr + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	client.CloseIdleConnections()
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("serve exited %d", code)
	}
	var leaked []string
	// Well under the upstream idle timeout (90 s), so a leaked keep-alive
	// connection is still there; long enough for a loaded machine to let
	// stopping goroutines return.
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		leaked = leaked[:0]
		for _, g := range goroutineStacks() {
			if before[goroutineID(g)] || strings.Contains(g, "TestServeLeavesNoGoroutines") || strings.Contains(g, "httptest") {
				continue
			}
			if strings.Contains(g, "vigil-proxy/") || strings.Contains(g, "persistConn") {
				leaked = append(leaked, g)
			}
		}
		if len(leaked) == 0 {
			return
		}
	}
	t.Errorf("%d goroutines left after serve returned:\n%s", len(leaked), strings.Join(leaked, "\n\n"))
}

// goroutineStacks returns the stack of every goroutine, one string each.
func goroutineStacks() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Split(string(buf[:n]), "\n\n")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// goroutineID is the "goroutine N" that starts a stack from goroutineStacks.
func goroutineID(stack string) string {
	id, _, _ := strings.Cut(stack, " [")
	return id
}

// A --proxy URL with credentials never echoes the password.
func TestCheckRemoteRedactsCredentials(t *testing.T) {
	base := strings.Replace(refusedURL(t), "http://", "http://ci:pw-secret-9@", 1)
	code, out, errOut := runCLI(t, map[string]string{}, "", "check", "--proxy", base, "pypi", "requests")
	if code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	if strings.Contains(out+errOut, "pw-secret-9") || !strings.Contains(out, "ERROR pypi requests") {
		t.Errorf("output leaks the password or lacks the error:\n%s%s", out, errOut)
	}
}

// npm.private names are refused online without asking upstream; offline
// they were judged by name like any other (a lookalike of nothing: ALLOW),
// so check --offline told CI a name the proxy refuses was fine.
func TestCheckOfflineRefusesPrivateNamesAsOnline(t *testing.T) {
	environ := map[string]string{
		"VIGIL_DATA_DIR":     t.TempDir(),
		"VIGIL_NPM_UPSTREAM": refusedURL(t),
		"VIGIL_NPM_PRIVATE":  "@myorg/*,internal-tool",
	}
	for _, name := range []string{"@myorg/billing", "@MyOrg/Billing", "internal-tool"} {
		code, out, errOut := runCLI(t, environ, "", "check", "--offline", "npm", name)
		if code != exitBlocked || !strings.Contains(out, "PRIVATE") || !strings.Contains(out, "is a private name (npm.private pattern") {
			t.Errorf("check --offline npm %s: exit %d, out %q, err %q; want PRIVATE block", name, code, out, errOut)
		}
	}
	code, out, _ := runCLI(t, environ, "", "check", "--offline", "npm", "@otherorg/billing")
	if strings.Contains(out, "PRIVATE") {
		t.Errorf("a name outside npm.private: exit %d, out %q", code, out)
	}
}

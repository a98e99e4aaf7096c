package proxy_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// stalledAudit opens a connection, announces an audit body of 8 MiB, sends
// a few bytes of it and stops: a client that ties up the proxy.
func stalledAudit(t *testing.T, e *env) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "POST /npm/-/npm/v1/security/advisories/bulk HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"a\":", 8<<20)
	return conn
}

// Audit bodies are the only request bodies the proxy reads, and it buffers
// them whole (up to 16 MiB) to forward them: a client that opens many
// uploads and never finishes them must neither hold the proxy's memory and
// handlers for ever nor keep other clients' audits out.
func TestNPMStalledAuditUploads(t *testing.T) {
	e, fake := newNPMEnv(t, envOptions{requestBodyTimeout: 300 * time.Millisecond})
	var conns []net.Conn
	for range 20 { // more than the proxy serves at once
		conns = append(conns, stalledAudit(t, e))
	}
	// Each stalled upload is answered, and its connection closed, once the
	// body timeout passes: a 408 saying why.
	for i, conn := range conns {
		_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("stalled upload %d: no answer: %v", i, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		conn.Close()
		switch {
		case resp.StatusCode == http.StatusRequestTimeout && strings.Contains(resp.Status, "did not arrive within"):
		case resp.StatusCode == http.StatusServiceUnavailable && strings.Contains(resp.Status, "try again shortly"):
		default:
			t.Errorf("stalled upload %d: %s %s, want 408 (body too slow) or 503 (too many at once)", i, resp.Status, b)
		}
	}
	if n := len(fake.AuditRequests()); n != 0 {
		t.Errorf("%d incomplete audit bodies forwarded upstream", n)
	}
	// Afterwards (once the refused handlers have let go of their slots) a
	// normal audit goes through.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/npm/-/npm/v1/security/advisories/bulk", strings.NewReader(`{"mature-lib":["1.1.0"]}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode == http.StatusServiceUnavailable && time.Now().Before(deadline) {
			resp.Body.Close()
			continue
		}
		wantStatus(t, resp, http.StatusOK)
		break
	}
}

// While the proxy's audit slots are taken by uploads in progress, another
// audit is answered at once with a 503 and Retry-After (npm reports an
// audit failure and carries on installing), not queued behind them.
func TestNPMAuditSlotsFullAnswersAtOnce(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{requestBodyTimeout: time.Minute})
	for range 20 {
		stalledAudit(t, e)
	}
	time.Sleep(100 * time.Millisecond) // let the handlers take their slots
	start := time.Now()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/npm/-/npm/v1/security/advisories/bulk", strings.NewReader(`{"mature-lib":["1.1.0"]}`))
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{Timeout: 20 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("audit while the slots are taken: %v (after %s)", err, time.Since(start))
	}
	b := wantStatus(t, resp, http.StatusServiceUnavailable)
	if resp.Header.Get("Retry-After") == "" || !strings.Contains(b, "audit") {
		t.Errorf("503 without Retry-After or explanation: %q %q", resp.Header.Get("Retry-After"), b)
	}
}

// An audit body over the forwarding limit is the client's 413, not an
// upstream failure, and nothing of it goes upstream.
func TestNPMAuditBodyTooLarge(t *testing.T) {
	e, fake := newNPMEnv(t, envOptions{})
	big := `{"x":"` + strings.Repeat("a", 17<<20) + `"}`
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/npm/-/npm/v1/security/advisories/bulk", strings.NewReader(big))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b := wantStatus(t, resp, http.StatusRequestEntityTooLarge)
	if !strings.Contains(b, "larger than") {
		t.Errorf("413 body %q, want it to say the body is too large", b)
	}
	// Without a Content-Length (chunked), the limit is found while reading.
	req, _ = http.NewRequest(http.MethodPost, e.srv.URL+"/npm/-/npm/v1/security/advisories/bulk", io.MultiReader(strings.NewReader(big)))
	req.Header.Set("Content-Type", "application/json")
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	if b := wantStatus(t, resp, http.StatusRequestEntityTooLarge); !strings.Contains(b, "larger than") {
		t.Errorf("chunked 413 body %q, want it to say the body is too large", b)
	}
	if n := len(fake.AuditRequests()); n != 0 {
		t.Errorf("%d oversized audit bodies forwarded", n)
	}
}

// npm audit posts every dependency of the project, private ones included:
// the names npm.private keeps from the upstream registry are taken out of
// the bulk advisory request before it is forwarded (gzip or not), the
// others go through unchanged.
func TestNPMAuditKeepsPrivateNamesFromUpstream(t *testing.T) {
	e, fake := newNPMEnv(t, envOptions{private: []string{"@myorg/*", "internal-*"}})
	const doc = `{"mature-lib":["1.1.0"],"@myorg/secret-tool":["1.0.0"],"@MyOrg/Other":["2.0.0"],"internal-billing":["3.0.0"],"@scope/thing":["3.0.0"]}`
	for _, gz := range []bool{true, false} {
		var body bytes.Buffer
		if gz {
			zw := gzip.NewWriter(&body)
			zw.Write([]byte(doc))
			zw.Close()
		} else {
			body.WriteString(doc)
		}
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/npm/-/npm/v1/security/advisories/bulk", &body)
		req.Header.Set("Content-Type", "application/json")
		if gz {
			req.Header.Set("Content-Encoding", "gzip")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		wantStatus(t, resp, http.StatusOK)
	}
	got := fake.AuditRequests()
	if len(got) != 2 {
		t.Fatalf("%d audit requests forwarded, want 2", len(got))
	}
	for i, b := range got {
		var m map[string][]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("forwarded body %d is not JSON: %v: %q", i, err, b)
		}
		want := map[string][]string{"mature-lib": {"1.1.0"}, "@scope/thing": {"3.0.0"}}
		if diff := cmp.Diff(want, m); diff != "" {
			t.Errorf("forwarded body %d (-want +got):\n%s", i, diff)
		}
	}
	// A body the proxy cannot read cannot be cleaned: refused, not forwarded.
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/npm/-/npm/v1/security/advisories/bulk", strings.NewReader(`@myorg/secret-tool 1.0.0`))
	req.Header.Set("Content-Encoding", "gzip")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if b := wantStatus(t, resp, http.StatusBadRequest); !strings.Contains(b, "npm.private") {
		t.Errorf("400 body %q, want it to say why", b)
	}
	if n := len(fake.AuditRequests()); n != 2 {
		t.Errorf("%d audit requests forwarded after the unreadable one, want still 2", n)
	}
}

// The check API's batch body is read under the same deadline: a client
// that starts one and stalls gets a 408.
func TestCheckAPIStalledBody(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{requestBodyTimeout: 300 * time.Millisecond})
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 400000\r\n\r\n{\"packages\":[")
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("stalled check body: no answer: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(b), "did not arrive") {
		t.Errorf("stalled check body: %s %s, want 408 saying the body did not arrive", resp.Status, b)
	}
}

// The legacy audit endpoints (pnpm 10, npm 10 and yarn classic call them)
// get the project's whole tree: private names are taken out at every level
// before it is forwarded; everything else passes as written.
func TestNPMLegacyAuditKeepsPrivateNamesFromUpstream(t *testing.T) {
	var got []byte
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/-/npm/v1/security/audits/quick" {
			http.NotFound(w, r)
			return
		}
		got, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"advisories":{},"metadata":{}}`))
	}))
	t.Cleanup(up.Close)
	e := newEnv(t, envOptions{npmUpstream: up.URL, private: []string{"@myorg/*"}})
	tree := `{"name":"proj","version":"1.0.0","install":[],"remove":[],"metadata":{"npm_version":"10.0.0"},
"requires":{"left-pad":"^1.3.0","@myorg/secret":"^2.0.0"},
"dependencies":{"left-pad":{"version":"1.3.0","integrity":"sha512-x","requires":{"@myorg/inner":"1.0.0"},
  "dependencies":{"@myorg/inner":{"version":"1.0.0"}}},"@myorg/secret":{"version":"2.0.0","dev":false}}}`
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/npm/-/npm/v1/security/audits/quick", strings.NewReader(tree))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, resp, http.StatusOK)
	if strings.Contains(string(got), "myorg") || !strings.Contains(string(got), "left-pad") || !strings.Contains(string(got), `"npm_version":"10.0.0"`) {
		t.Errorf("forwarded legacy audit %s: want left-pad and the metadata, and no @myorg name", got)
	}
}

// The legacy tree names the project itself at its root: an internal
// project's own name is as private as its dependencies'. A tree deeper than
// the filter reads is refused, not forwarded with its deeper names.
func TestNPMLegacyAuditKeepsThePrivateProjectNameAndRefusesDeepTrees(t *testing.T) {
	var got []byte
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"advisories":{},"metadata":{}}`))
	}))
	t.Cleanup(up.Close)
	e := newEnv(t, envOptions{npmUpstream: up.URL, private: []string{"@myorg/*"}})
	post := func(body string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/npm/-/npm/v1/security/audits/quick", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	wantStatus(t, post(`{"name":"@myorg/internal-app","version":"1.0.0","requires":{"left-pad":"^1.3.0"},
"dependencies":{"left-pad":{"version":"1.3.0"}}}`), http.StatusOK)
	if strings.Contains(string(got), "myorg") || !strings.Contains(string(got), "left-pad") {
		t.Errorf("forwarded legacy audit %s: want left-pad and no @myorg name", got)
	}

	got = nil
	deep := `{"version":"1.0.0"}`
	for range 300 {
		deep = `{"version":"1.0.0","dependencies":{"a":` + deep + `}}`
	}
	deep = `{"name":"proj","version":"1.0.0","dependencies":{"@myorg/secret":{"version":"1.0.0"},"a":` + deep + `}}`
	deep = strings.Replace(deep, `{"version":"1.0.0"}}}`, `{"version":"1.0.0","dependencies":{"@myorg/deep":{"version":"1.0.0"}}}}}`, 1)
	resp := post(deep)
	if resp.StatusCode != http.StatusBadRequest || got != nil {
		t.Errorf("a tree deeper than the filter reads: status %d, forwarded %d bytes; want 400 and nothing forwarded", resp.StatusCode, len(got))
	}
}

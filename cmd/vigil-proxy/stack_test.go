package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
	"github.com/vigil-proxy/vigil-proxy/store"
	"github.com/vigil-proxy/vigil-proxy/store/boltstore"
)

// cache.grace: 0 means "never serve stale metadata", not the library's
// 24h default: with upstream failing after the TTL, the check must fail
// closed.
func TestZeroGraceDisablesStaleIfError(t *testing.T) {
	tests := []struct {
		grace     time.Duration
		wantStale bool
	}{
		{0, false},
		{time.Hour, true},
	}
	for _, tc := range tests {
		fake := fakePyPI(t)
		cfg, err := loadConfig("", envMap(checkEnv(t, fake)))
		if err != nil {
			t.Fatal(err)
		}
		cfg.Cache.TTL = Duration(time.Millisecond)
		cfg.Cache.Grace = Duration(tc.grace)
		st, err := buildStack(t.Context(), cfg, slog.New(slog.DiscardHandler), stackOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.proxy.Check(t.Context(), policy.PyPI, "mature-pkg", ""); err != nil {
			t.Fatalf("first check: %v", err)
		}
		for _, p := range []string{"/simple/mature-pkg/", "/pypi/mature-pkg/json"} {
			fake.SetFault(p, pypitest.Fault{Status: http.StatusInternalServerError})
		}
		time.Sleep(20 * time.Millisecond) // past the TTL
		_, err = st.proxy.Check(t.Context(), policy.PyPI, "mature-pkg", "")
		if gotStale := err == nil; gotStale != tc.wantStale {
			t.Errorf("grace %v: check with upstream failing: err %v, want stale copy served = %t", tc.grace, err, tc.wantStale)
		}
		st.Close()
	}
}

// A bulk `check` records one audit event per name, even past the
// recorder's in-memory buffer.
func TestCheckBulkKeepsEveryAuditEvent(t *testing.T) {
	fake := fakePyPI(t)
	environ := checkEnv(t, fake)
	dbPath := filepath.Join(environ["VIGIL_DATA_DIR"], "store.db")
	bs, err := boltstore.Open(dbPath, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	bs.Close()
	const n = store.DefaultRecorderBuffer + 500
	in := strings.Repeat("mature-pkg\n", n)
	if code, _, errOut := runCLI(t, environ, in, "check", "--json", "pypi", "-"); code != exitOK {
		t.Fatalf("check exit %d: %s", code, errOut)
	}
	bs, err = boltstore.Open(dbPath, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer bs.Close()
	got, cursor := 0, ""
	for {
		evs, next, err := bs.Events(t.Context(), store.EventQuery{Package: "mature-pkg", Limit: 500, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		got += len(evs)
		if next == "" {
			break
		}
		cursor = next
	}
	if got != n {
		t.Errorf("audit events recorded = %d, want %d", got, n)
	}
}

// Request headers are bounded well below net/http's 1 MB default: every
// User-Agent ends up in the audit trail.
func TestHTTPServerBoundsHeaders(t *testing.T) {
	srv := newHTTPServer("127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), slog.New(slog.DiscardHandler))
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/", nil)
	req.Header.Set("User-Agent", strings.Repeat("a", 200<<10))
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("200 KiB User-Agent: status %d, want 431", resp.StatusCode)
	}
}

// A download still running when the shutdown grace ends is cut, not left
// running against a closed cache and store after serve has returned.
func TestServeCutsRequestsPastTheGrace(t *testing.T) {
	fake := fakePyPI(t)
	f := fake.Files("mature-pkg")[0]
	fake.SetFault(f.Path, pypitest.Fault{Delay: time.Minute})
	environ := checkEnv(t, fake)
	addr := freeAddr(t)
	environ["VIGIL_LISTEN"] = addr
	environ["VIGIL_ADMIN_LISTEN"] = ""
	cfg, err := loadConfig("", envMap(environ))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() {
		served <- serveWithGrace(ctx, cfg, slog.New(slog.DiscardHandler), envMap(environ), 200*time.Millisecond)
	}()
	waitHealthy(t, "http://"+addr)
	got := make(chan error, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/pypi/files/mature-pkg/" + f.Filename)
		if err == nil {
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		got <- err
	}()
	// Cancel only once the download waits on upstream (a fixed sleep let a
	// loaded machine cancel before the request arrived, which tested
	// nothing).
	if took, ok := waitFor(30*time.Second, func() bool { return fake.Requests(f.Path) > 0 }); !ok {
		t.Fatalf("the download did not reach upstream within %s", took)
	}
	cancel()
	// Upstream holds the file for a minute; serve must return long before,
	// after its 200 ms grace (the bounds leave room for a loaded machine).
	select {
	case <-served:
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not return after the grace period")
	}
	select {
	case err := <-got:
		if err == nil {
			t.Errorf("download completed after serve returned; want it cut")
		}
	case <-time.After(20 * time.Second):
		t.Errorf("download still running after serve returned")
	}
}

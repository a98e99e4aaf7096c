package proxy_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// An unreachable upstream is named in the reason phrase with the cause
// (pip -vv, pnpm and yarn print it), logged once per outage rather than per
// request, and reported by UpstreamHealth; recovery is logged once too.
func TestUpstreamOutageExplainsItself(t *testing.T) {
	var logs lockedBuffer
	// Nothing listens on port 1: connections are refused. (A port-0
	// listener closed for the purpose could be taken meanwhile by a test
	// server of a package running beside this one.)
	host := "127.0.0.1:1"
	e := newEnv(t, envOptions{pypiUpstream: "http://" + host, pypiFiles: []string{host},
		logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	for _, p := range []string{"/pypi/simple/mature-pkg/", "/pypi/simple/other-pkg/", "/pypi/pypi/third-pkg/json"} {
		resp := e.get(p)
		b := wantStatus(t, resp, http.StatusBadGateway)
		want := "502 vigil-proxy: upstream " + host + " unreachable (connection refused) and no cached copy"
		if resp.Status != want {
			t.Errorf("%s: status line %q, want %q", p, resp.Status, want)
		}
		if !strings.Contains(b, "unreachable (connection refused)") {
			t.Errorf("%s: body %q lacks the cause", p, b)
		}
	}
	if n := strings.Count(logs.String(), "upstream failing"); n != 1 {
		t.Errorf("%d outage warnings for 3 failed requests, want 1:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("an upstream outage logged ERROR lines:\n%s", logs.String())
	}
	// /readyz reports the outage but stays ready (cached copies still serve).
	if b := wantStatus(t, e.get("/readyz"), http.StatusOK); !strings.Contains(b, "upstream "+host+": failing since ") || !strings.Contains(b, "(unreachable (connection refused))") {
		t.Errorf("/readyz = %q, want the failing upstream in its detail", b)
	}
	h := e.proxy.UpstreamHealth()
	// A cold PyPI miss fetches the simple page and the JSON document side
	// by side: two failed upstream requests for each of the three.
	if len(h) != 1 || h[0].Host != host || h[0].OK || h[0].Cause != "unreachable (connection refused)" || h[0].Failures != 6 {
		t.Errorf("UpstreamHealth = %+v, want %s failing 6 times, connection refused", h, host)
	}
}

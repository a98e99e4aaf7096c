package admin

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
)

type hookHit struct {
	body []byte
	sig  string
	kind string
}

// hookServer answers with the given statuses in turn (200 once they run
// out) and records what it received.
func hookServer(t *testing.T, statuses ...int) (*httptest.Server, func() []hookHit) {
	var mu sync.Mutex
	var hits []hookHit
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		n := len(hits)
		hits = append(hits, hookHit{body: b, sig: r.Header.Get(SignatureHeader), kind: r.Header.Get("X-Vigil-Event")})
		mu.Unlock()
		code := http.StatusOK
		if n < len(statuses) {
			code = statuses[n]
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []hookHit {
		mu.Lock()
		defer mu.Unlock()
		return append([]hookHit(nil), hits...)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second) // ends at once when cond holds
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestWebhookSignsAndRetries(t *testing.T) {
	srv, hits := hookServer(t, 500, 503)
	secret := randomString(16)
	e := newEnv(t, func(o *Options) {
		o.Webhook = WebhookOptions{URL: srv.URL, Secret: secret, MaxRetries: 3, Backoff: time.Millisecond}
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.srv.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()

	ev := store.Event{ID: "e1", Kind: store.KindDecision, Ecosystem: policy.PyPI, Package: "reqeusts", Verdict: "block"}
	e.srv.NotifyBlock(ev)
	waitFor(t, "three deliveries", func() bool { return len(hits()) >= 3 })
	got := hits()
	if len(got) != 3 {
		t.Fatalf("%d deliveries, want 3 (two 5xx then success)", len(got))
	}
	for i, h := range got {
		mac := Sign(secret, h.body)
		if !hmac.Equal([]byte(mac), []byte(h.sig)) || h.kind != "block" {
			t.Errorf("delivery %d: signature %q kind %q, want %q block", i, h.sig, h.kind, mac)
		}
	}
	if Sign(randomString(16), got[0].body) == got[0].sig {
		t.Error("signature verifies under another secret")
	}
	var payload struct {
		Type  string
		Block store.Event
	}
	if err := json.Unmarshal(got[0].body, &payload); err != nil || payload.Type != "block" || payload.Block.Package != "reqeusts" {
		t.Errorf("payload %s: %v", got[0].body, err)
	}

	// Filing a request notifies too.
	e.mustDo(http.MethodPost, "/api/v1/requests", e.requesterToken,
		map[string]any{"ecosystem": "pypi", "name": "reqeusts", "justification": "x"}, http.StatusCreated, nil)
	waitFor(t, "request notification", func() bool { return len(hits()) >= 4 })
	if k := hits()[3].kind; k != "request" {
		t.Errorf("fourth delivery kind %q, want request", k)
	}
}

func TestWebhookGivesUp(t *testing.T) {
	for _, tc := range []struct {
		name     string
		statuses []int
		want     int
	}{
		{"client error is not retried", []int{400, 400, 400}, 1},
		{"retries are bounded", []int{500, 500, 500, 500, 500}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, hits := hookServer(t, tc.statuses...)
			w := newWebhook(WebhookOptions{URL: srv.URL, Secret: randomString(8), MaxRetries: 2, Backoff: time.Millisecond},
				slog.New(slog.DiscardHandler), time.Now)
			w.enqueue("block", store.Event{})
			n := <-w.queue
			if err := w.deliver(context.Background(), n); err == nil {
				t.Error("deliver succeeded")
			}
			if got := len(hits()); got != tc.want {
				t.Errorf("%d attempts, want %d", got, tc.want)
			}
		})
	}
}

// TestWebhookNeverBlocks: with a receiver that hangs and a full queue,
// NotifyBlock returns at once and drops what does not fit.
func TestWebhookNeverBlocks(t *testing.T) {
	release := make(chan struct{})
	var received atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		received.Add(1)
		<-release
	}))
	defer srv.Close()
	defer close(release)
	e := newEnv(t, func(o *Options) {
		o.Webhook = WebhookOptions{URL: srv.URL, Secret: randomString(8), Queue: 2, MaxRetries: -1}
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.srv.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	e.srv.NotifyBlock(store.Event{Package: "first"})
	waitFor(t, "the worker to pick up the first notification", func() bool { return received.Load() == 1 })

	// The receiver hangs until the test ends: a NotifyBlock that blocked
	// would never return, so the calls finishing at all shows none did (a
	// 1 s wall-clock bound here measured the machine's load instead).
	calls := make(chan struct{})
	go func() {
		defer close(calls)
		for range 100 {
			e.srv.NotifyBlock(store.Event{Package: "more"})
		}
	}()
	select {
	case <-calls:
	case <-time.After(30 * time.Second):
		t.Fatal("100 NotifyBlock calls did not return with a hung receiver: NotifyBlock blocks")
	}
	if n := len(e.srv.hook.queue); n != 2 {
		t.Errorf("queue holds %d, want its bound 2", n)
	}
	if n := e.srv.hook.dropped.Load(); n != 98 {
		t.Errorf("dropped %d, want 98", n)
	}
}

// TestWebhookErrorsHideURL: webhook URLs often carry a credential in the
// path or query (Slack, Teams); delivery errors, which are logged, name the
// host only.
func TestWebhookErrorsHideURL(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.Listener.Addr().String()
	srv.Close() // connection refused from now on
	var logs syncBuffer
	w := newWebhook(WebhookOptions{URL: "http://" + addr + "/services/T0/B0/pathsecret?token=querysecret",
		Secret: "hmacsecret-0123456789", MaxRetries: 1, Backoff: time.Millisecond},
		slog.New(slog.NewTextHandler(&logs, nil)), time.Now)
	w.enqueue("block", store.Event{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.run(ctx); close(done) }()
	waitFor(t, "abandoned delivery log", func() bool { return strings.Contains(logs.String(), "abandoned") })
	cancel()
	<-done
	out := logs.String()
	for _, secret := range []string{"pathsecret", "querysecret", "hmacsecret"} {
		if strings.Contains(out, secret) {
			t.Errorf("log holds %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, addr) {
		t.Errorf("log does not name the host %s:\n%s", addr, out)
	}
}

package metacache

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vigil-proxy/vigil-proxy/policy"
)

// clock is an injectable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// registry is a fake upstream: documents by name with content-derived ETags,
// honouring If-None-Match like a real registry, with a failure switch, an
// optional gate that holds fetches, and per-call records.
type registry struct {
	mu    sync.Mutex
	docs  map[string][]byte
	fail  error         // returned instead of the document when set
	gate  chan struct{} // when set, fetches wait for it to close
	calls atomic.Int64
	etags []string // If-None-Match values seen, in order
	ctxOK []bool   // whether the fetch context was still live after the gate
}

func newRegistry() *registry { return &registry{docs: map[string][]byte{}} }

func etagOf(b []byte) string {
	s := sha256.Sum256(b)
	return `"` + hex.EncodeToString(s[:8]) + `"`
}

func (r *registry) set(name, doc string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if doc == "" {
		delete(r.docs, name)
		return
	}
	r.docs[name] = []byte(doc)
}

func (r *registry) setFail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = err
}

func (r *registry) seen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.etags...)
}

// fetcher returns the FetchFunc for name.
func (r *registry) fetcher(name string) FetchFunc {
	return func(ctx context.Context, etag string) (Fetched, error) {
		r.calls.Add(1)
		r.mu.Lock()
		r.etags = append(r.etags, etag)
		gate := r.gate
		r.mu.Unlock()
		if gate != nil {
			select {
			case <-gate:
			case <-ctx.Done():
				return Fetched{}, ctx.Err()
			}
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		r.ctxOK = append(r.ctxOK, ctx.Err() == nil)
		if r.fail != nil {
			return Fetched{}, r.fail
		}
		doc, ok := r.docs[name]
		if !ok {
			return Fetched{}, fmt.Errorf("GET /%s: status 404: %w", name, policy.ErrNotFound)
		}
		tag := etagOf(doc)
		if etag == tag {
			return Fetched{ETag: tag, NotModified: true}, nil
		}
		return Fetched{Body: append([]byte(nil), doc...), ETag: tag}, nil
	}
}

// parseJSON is a realistic ParseFunc: a JSON object's "name" field.
func parseJSON(body []byte) (any, error) {
	var doc struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, err
	}
	if doc.Name == "" {
		return nil, errors.New("document has no name")
	}
	return doc.Name, nil
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type harness struct {
	cache *Cache
	clock *clock
	reg   *registry
	logs  *syncBuffer
	path  string
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	h := &harness{clock: newClock(), reg: newRegistry(), logs: &syncBuffer{}}
	if opts.Path == "" {
		opts.Path = filepath.Join(t.TempDir(), "cache", "metacache.db") // parent is created
	}
	h.path = opts.Path
	opts.Now = h.clock.Now
	opts.Logger = slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := Open(opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	h.cache = c
	return h
}

func (h *harness) get(ctx context.Context, name string) (*Entry, error) {
	return h.cache.Get(ctx, "npm/"+name, h.reg.fetcher(name), parseJSON)
}

func TestGetSingleflight(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	h.reg.set("react", `{"name":"react"}`)
	h.reg.gate = make(chan struct{})

	const n = 200
	var wg sync.WaitGroup
	results := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			e, err := h.get(context.Background(), "react")
			errs[i] = err
			if err == nil {
				results[i] = e.Value.(string)
			}
		})
	}
	for h.cache.Stats().Misses < n {
		time.Sleep(time.Millisecond)
	}
	close(h.reg.gate)
	wg.Wait()
	for i := range n {
		if errs[i] != nil || results[i] != "react" {
			t.Fatalf("Get #%d = %q, %v; want react", i, results[i], errs[i])
		}
	}
	if got := h.reg.calls.Load(); got != 1 {
		t.Errorf("upstream fetches = %d, want 1", got)
	}
	want := Stats{Misses: n, Fetches: 1}
	if diff := cmp.Diff(want, h.cache.Stats()); diff != "" {
		t.Errorf("Stats mismatch (-want +got):\n%s", diff)
	}
	if _, err := h.get(context.Background(), "react"); err != nil || h.reg.calls.Load() != 1 {
		t.Errorf("fresh Get = %v with %d fetches, want a hit without fetching", err, h.reg.calls.Load())
	}
}

func TestGetWaiterCancelDoesNotCancelFetch(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	h.reg.set("lodash", `{"name":"lodash"}`)
	h.reg.gate = make(chan struct{})

	ctx1, cancel1 := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() {
		_, err := h.get(ctx1, "lodash")
		first <- err
	}()
	for h.reg.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	second := make(chan *Entry, 1)
	go func() {
		e, err := h.get(context.Background(), "lodash")
		if err != nil {
			t.Errorf("second Get: %v", err)
		}
		second <- e
	}()
	cancel1()
	select {
	case err := <-first:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("first Get error = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("first Get did not return after its context was cancelled")
	}
	close(h.reg.gate)
	e := <-second
	if e == nil || e.Value != "lodash" {
		t.Fatalf("second Get = %+v, want lodash", e)
	}
	h.reg.mu.Lock()
	ok := cmp.Equal([]bool{true}, h.reg.ctxOK)
	h.reg.mu.Unlock()
	if !ok || h.reg.calls.Load() != 1 {
		t.Errorf("fetch context live = %v over %d fetches, want [true] over 1", h.reg.ctxOK, h.reg.calls.Load())
	}
}

func TestGetRevalidates(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{TTL: 5 * time.Minute})
	ctx := context.Background()
	v1 := `{"name":"left-pad","v":1}`
	h.reg.set("left-pad", v1)

	e1, err := h.get(ctx, "left-pad")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	h.clock.Advance(4 * time.Minute)
	if _, err := h.get(ctx, "left-pad"); err != nil || h.reg.calls.Load() != 1 {
		t.Fatalf("Get within TTL = %v with %d fetches, want 1 fetch", err, h.reg.calls.Load())
	}

	h.clock.Advance(2 * time.Minute) // expired: revalidate, unchanged
	e2, err := h.get(ctx, "left-pad")
	if err != nil {
		t.Fatalf("Get after TTL: %v", err)
	}
	if string(e2.Body) != v1 || e2.Value != "left-pad" || e2.ETag != etagOf([]byte(v1)) || e2.Stale {
		t.Errorf("revalidated entry = %q %v %q stale=%v, want the old body, value and ETag", e2.Body, e2.Value, e2.ETag, e2.Stale)
	}
	if !e2.Fetched.Equal(e1.Fetched.Add(6 * time.Minute)) {
		t.Errorf("Fetched = %v, want bumped to %v", e2.Fetched, e1.Fetched.Add(6*time.Minute))
	}
	h.clock.Advance(4 * time.Minute) // fresh again thanks to the bump
	if _, err := h.get(ctx, "left-pad"); err != nil || h.reg.calls.Load() != 2 {
		t.Errorf("Get after revalidation = %v with %d fetches, want 2", err, h.reg.calls.Load())
	}

	v2 := `{"name":"left-pad","v":2}`
	h.reg.set("left-pad", v2)
	h.clock.Advance(2 * time.Minute)
	e3, err := h.get(ctx, "left-pad")
	if err != nil || string(e3.Body) != v2 {
		t.Fatalf("Get after change = %q, %v; want %q", e3.Body, err, v2)
	}
	want := []string{"", etagOf([]byte(v1)), etagOf([]byte(v1))}
	if diff := cmp.Diff(want, h.reg.seen()); diff != "" {
		t.Errorf("If-None-Match sequence mismatch (-want +got):\n%s", diff)
	}
	wantStats := Stats{Hits: 2, Misses: 3, Fetches: 3, NotModified: 1}
	if diff := cmp.Diff(wantStats, h.cache.Stats()); diff != "" {
		t.Errorf("Stats mismatch (-want +got):\n%s", diff)
	}
	// The 304 bump is persisted: a reopened cache still knows v2.
	h.cache.flushL2() // refreshes write L2 in the background
	rec, ok, err := h.cache.l2Get("npm/left-pad", true)
	if err != nil || !ok || string(rec.body) != v2 || rec.etag != etagOf([]byte(v2)) {
		t.Errorf("L2 record = %q %q ok=%v err=%v, want v2", rec.body, rec.etag, ok, err)
	}
}

func TestGetNegativeCaching(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{NegativeTTL: time.Minute})
	ctx := context.Background()

	_, err := h.get(ctx, "hallucinated-pkg")
	if !errors.Is(err, policy.ErrNotFound) {
		t.Fatalf("Get(missing) error = %v, want ErrNotFound", err)
	}
	h.reg.set("hallucinated-pkg", `{"name":"hallucinated-pkg"}`) // published meanwhile
	h.clock.Advance(30 * time.Second)
	if _, err := h.get(ctx, "hallucinated-pkg"); !errors.Is(err, policy.ErrNotFound) || h.reg.calls.Load() != 1 {
		t.Errorf("Get within NegativeTTL = %v with %d fetches, want cached ErrNotFound", err, h.reg.calls.Load())
	}
	h.clock.Advance(31 * time.Second)
	e, err := h.get(ctx, "hallucinated-pkg")
	if err != nil || e.Value != "hallucinated-pkg" || h.reg.calls.Load() != 2 {
		t.Errorf("Get after NegativeTTL = %v, %v with %d fetches, want the new package", e, err, h.reg.calls.Load())
	}

	// A name that disappears is not served stale.
	h.reg.set("hallucinated-pkg", "")
	h.clock.Advance(10 * time.Minute)
	if _, err := h.get(ctx, "hallucinated-pkg"); !errors.Is(err, policy.ErrNotFound) {
		t.Errorf("Get after removal = %v, want ErrNotFound without stale fallback", err)
	}
	h.cache.flushL2() // refreshes write L2 in the background
	rec, ok, err := h.cache.l2Get("npm/hallucinated-pkg", false)
	if err != nil || !ok || !rec.notFound {
		t.Errorf("L2 record = %+v ok=%v err=%v, want a not-found record", rec, ok, err)
	}
}

func TestGetStaleIfError(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{TTL: 5 * time.Minute, Grace: time.Hour})
	ctx := context.Background()
	doc := `{"name":"requests"}`
	h.reg.set("requests", doc)
	if _, err := h.get(ctx, "requests"); err != nil {
		t.Fatalf("Get: %v", err)
	}

	h.reg.setFail(fmt.Errorf("GET /requests: status 503: %w", policy.ErrUpstream))
	h.clock.Advance(30 * time.Minute)
	e, err := h.get(ctx, "requests")
	if err != nil {
		t.Fatalf("Get within grace: %v, want stale entry", err)
	}
	if !e.Stale || string(e.Body) != doc || e.Value != "requests" {
		t.Errorf("stale entry = %q %v stale=%v, want old body marked stale", e.Body, e.Value, e.Stale)
	}
	logs := h.logs.String()
	for _, s := range []string{"serving stale metadata", "key=npm/requests", "age=30m0s", "status 503"} {
		if !strings.Contains(logs, s) {
			t.Errorf("log %q lacks %q", logs, s)
		}
	}

	h.clock.Advance(36 * time.Minute) // 66m old > TTL+Grace
	if _, err := h.get(ctx, "requests"); !errors.Is(err, policy.ErrUpstream) {
		t.Errorf("Get beyond grace error = %v, want ErrUpstream", err)
	}
	want := Stats{Hits: 0, Misses: 3, Fetches: 3, StaleServed: 1, Errors: 2}
	if diff := cmp.Diff(want, h.cache.Stats()); diff != "" {
		t.Errorf("Stats mismatch (-want +got):\n%s", diff)
	}

	// Recovery: the next fetch refreshes normally.
	h.reg.setFail(nil)
	if e, err := h.get(ctx, "requests"); err != nil || e.Stale {
		t.Errorf("Get after recovery = %+v, %v; want fresh", e, err)
	}
}

func TestGetParseFailure(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{TTL: 5 * time.Minute})
	ctx := context.Background()
	good := `{"name":"numpy"}`
	h.reg.set("numpy", good)
	if _, err := h.get(ctx, "numpy"); err != nil {
		t.Fatalf("Get: %v", err)
	}
	h.reg.set("numpy", `<html>captive portal</html>`)
	h.clock.Advance(10 * time.Minute)
	e, err := h.get(ctx, "numpy")
	if err != nil || !e.Stale || string(e.Body) != good {
		t.Fatalf("Get with unparseable upstream = %+v, %v; want stale good copy", e, err)
	}
	h.cache.flushL2() // refreshes write L2 in the background
	rec, _, err := h.cache.l2Get("npm/numpy", true)
	if err != nil || string(rec.body) != good {
		t.Errorf("L2 body = %q, %v; want the good body kept", rec.body, err)
	}

	// Without a previous copy the parse failure is an upstream error and
	// nothing is stored.
	h.reg.set("scipy", `not json`)
	if _, err := h.get(ctx, "scipy"); !errors.Is(err, policy.ErrUpstream) {
		t.Errorf("Get(unparseable, uncached) error = %v, want ErrUpstream", err)
	}
	if _, ok, err := h.cache.l2Get("npm/scipy", true); ok || err != nil {
		t.Errorf("L2 has record for unparseable body (ok=%v err=%v), want none", ok, err)
	}
}

func TestReopenServesFromL2(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "cache.db")
	h := newHarness(t, Options{Path: path})
	h.reg.set("express", `{"name":"express"}`)
	if _, err := h.get(context.Background(), "express"); err != nil {
		t.Fatalf("Get: %v", err)
	}
	if err := h.cache.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := h.get(context.Background(), "express"); err == nil {
		t.Errorf("Get on closed cache succeeded, want error")
	}

	c, err := Open(Options{Path: path, Now: h.clock.Now})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer c.Close()
	fetch := func(context.Context, string) (Fetched, error) {
		return Fetched{}, errors.New("must not fetch")
	}
	var parses atomic.Int64
	countingParse := func(b []byte) (any, error) {
		parses.Add(1)
		return parseJSON(b)
	}
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			e, err := c.Get(context.Background(), "npm/express", fetch, countingParse)
			if err != nil || e.Value != "express" || string(e.Body) != `{"name":"express"}` {
				t.Errorf("Get after reopen = %+v, %v; want express from L2", e, err)
			}
		})
	}
	wg.Wait()
	if parses.Load() != 1 {
		t.Errorf("L2 body parsed %d times by 50 concurrent Gets, want 1", parses.Load())
	}
	if st := c.Stats(); st.L2Hits != 1 || st.Hits+st.Misses != 50 || st.Fetches != 0 {
		t.Errorf("Stats = %+v, want 1 L2 hit, 50 Gets, no fetch", st)
	}
}

func TestLargeDocument(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "cache.db")
	h := newHarness(t, Options{Path: path, MaxCost: 32 << 20}) // body exceeds L1 budget
	big := bytes.Repeat([]byte(`{"name":"huge","padding":"abcdefghijklmnopqrstuvwxyz"}`), 60<<20/52)
	fetch := func(context.Context, string) (Fetched, error) {
		h.reg.calls.Add(1)
		return Fetched{Body: big, ETag: `"big"`}, nil
	}
	parseLen := func(b []byte) (any, error) { return len(b), nil }
	e, err := h.cache.Get(context.Background(), "npm/huge", fetch, parseLen)
	if err != nil || e.Value != len(big) {
		t.Fatalf("Get(large) = %v, %v", e, err)
	}
	_ = h.cache.Close()
	c, err := Open(Options{Path: path, Now: h.clock.Now})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer c.Close()
	e, err = c.Get(context.Background(), "npm/huge", fetch, parseLen)
	if err != nil || !bytes.Equal(e.Body, big) || e.ETag != `"big"` || h.reg.calls.Load() != 1 {
		t.Errorf("Get(large) after reopen: err %v, equal %v, etag %q, fetches %d", err, err == nil && bytes.Equal(e.Body, big), e.ETag, h.reg.calls.Load())
	}
	// The large body lives in a blob file beside the database, and goes
	// with its entry.
	blobs, err := filepath.Glob(path + ".blobs/*")
	if err != nil || len(blobs) != 1 {
		t.Fatalf("blob files = %v, %v; want exactly one", blobs, err)
	}
	if err := c.Invalidate(context.Background(), "npm/huge"); err != nil {
		t.Fatal(err)
	}
	if blobs, _ := filepath.Glob(path + ".blobs/*"); len(blobs) != 0 {
		t.Errorf("blob files after Invalidate = %v, want none", blobs)
	}
}

func TestInvalidate(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	ctx := context.Background()
	h.reg.set("vite", `{"name":"vite"}`)
	if _, err := h.get(ctx, "vite"); err != nil {
		t.Fatal(err)
	}
	if err := h.cache.Invalidate(ctx, "npm/vite"); err != nil {
		t.Fatalf("Invalidate: %v", err)
	}
	if _, err := h.get(ctx, "vite"); err != nil || h.reg.calls.Load() != 2 {
		t.Errorf("Get after Invalidate = %v with %d fetches, want a refetch", err, h.reg.calls.Load())
	}
	if diff := cmp.Diff([]string{"", ""}, h.reg.seen()); diff != "" {
		t.Errorf("ETags sent mismatch (-want +got):\n%s", diff)
	}
}

func TestFetchTimeoutAndPanic(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{FetchTimeout: 50 * time.Millisecond})
	ctx := context.Background()
	slow := func(ctx context.Context, _ string) (Fetched, error) {
		if _, ok := ctx.Deadline(); !ok {
			return Fetched{}, errors.New("fetch context has no deadline")
		}
		<-ctx.Done()
		return Fetched{}, fmt.Errorf("%w: %w", policy.ErrUpstream, ctx.Err())
	}
	if _, err := h.cache.Get(ctx, "pypi/slow", slow, parseJSON); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Get(slow) error = %v, want DeadlineExceeded", err)
	}
	boom := func(context.Context, string) (Fetched, error) { panic("parser bug") }
	if _, err := h.cache.Get(ctx, "pypi/boom", boom, parseJSON); !errors.Is(err, policy.ErrUpstream) {
		t.Errorf("Get(panicking fetch) error = %v, want ErrUpstream", err)
	}
	for _, key := range []string{"", strings.Repeat("k", maxKeyLen+1)} {
		if _, err := h.cache.Get(ctx, key, slow, parseJSON); err == nil {
			t.Errorf("Get(key of %d bytes) succeeded, want error", len(key))
		}
	}
}

func TestOpenRecreatesCorruptFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "cache.db")
	if err := os.WriteFile(path, bytes.Repeat([]byte("garbage!"), 4096), 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Options{Path: path})
	h.reg.set("six", `{"name":"six"}`)
	if e, err := h.get(context.Background(), "six"); err != nil || e.Value != "six" {
		t.Errorf("Get on recreated cache = %v, %v", e, err)
	}
	if _, err := Open(Options{Path: path}); err == nil {
		t.Errorf("second Open of a locked file succeeded, want timeout error")
	}
	if _, err := Open(Options{}); err == nil {
		t.Errorf("Open with empty path succeeded, want error")
	}
}

func TestPrune(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{TTL: time.Minute, NegativeTTL: time.Minute, Grace: time.Hour})
	ctx := context.Background()
	h.reg.set("old", `{"name":"old"}`)
	if _, err := h.get(ctx, "old"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.get(ctx, "gone"); !errors.Is(err, policy.ErrNotFound) {
		t.Fatal(err)
	}
	h.clock.Advance(30 * time.Minute)
	h.reg.set("new", `{"name":"new"}`)
	if _, err := h.get(ctx, "new"); err != nil {
		t.Fatal(err)
	}
	if n, err := h.cache.Prune(ctx); err != nil || n != 1 {
		t.Errorf("Prune = %d, %v; want 1 (the expired not-found)", n, err)
	}
	h.clock.Advance(31 * time.Minute)
	if n, err := h.cache.Prune(ctx); err != nil || n != 1 {
		t.Errorf("Prune = %d, %v; want 1 (old beyond grace)", n, err)
	}
	for key, want := range map[string]bool{"npm/old": false, "npm/gone": false, "npm/new": true} {
		if _, ok, err := h.cache.l2Get(key, false); ok != want || err != nil {
			t.Errorf("L2 has %s = %v (%v), want %v", key, ok, err, want)
		}
	}
}

func TestCloseDuringGets(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	var wg sync.WaitGroup
	for i := range 50 {
		name := fmt.Sprintf("pkg-%d", i)
		h.reg.set(name, fmt.Sprintf(`{"name":%q}`, name))
		wg.Go(func() {
			e, err := h.get(context.Background(), name)
			if err == nil && e.Value != name {
				t.Errorf("Get(%s) = %v, want %s", name, e.Value, name)
			}
		})
	}
	if err := h.cache.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	wg.Wait()
	if err := h.cache.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

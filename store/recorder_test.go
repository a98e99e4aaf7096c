package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// memEvents is an in-memory EventStore; writes wait while gate is non-nil
// and open, and fail while err is set.
type memEvents struct {
	mu      sync.Mutex
	evs     []Event
	batches []int
	err     error
	gate    chan struct{}
}

func (m *memEvents) RecordEvents(ctx context.Context, evs ...Event) error {
	m.mu.Lock()
	gate := m.gate
	m.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	for _, ev := range evs {
		ev.ID = fmt.Sprintf("%016d", len(m.evs))
		m.evs = append(m.evs, ev)
	}
	m.batches = append(m.batches, len(evs))
	return nil
}

func (m *memEvents) Events(context.Context, EventQuery) ([]Event, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Event(nil), m.evs...), "", nil
}

func (m *memEvents) PruneEvents(_ context.Context, before time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var kept []Event
	for _, ev := range m.evs {
		if !ev.Time.Before(before) {
			kept = append(kept, ev)
		}
	}
	n := len(m.evs) - len(kept)
	m.evs = kept
	return n, nil
}

func (m *memEvents) packages() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, ev := range m.evs {
		out = append(out, ev.Package)
	}
	return out
}

func TestRecorderFlush(t *testing.T) {
	es := &memEvents{}
	fixed := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	r := NewRecorder(es, RecorderOptions{BatchSize: 4, Now: func() time.Time { return fixed }})
	for i := range 10 {
		r.Record(Event{Kind: KindDecision, Package: fmt.Sprintf("p%d", i)})
	}
	if got := es.packages(); len(got) != 0 {
		t.Fatalf("store has %d events before Flush, want 0", len(got))
	}
	if err := r.Flush(t.Context()); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	got := es.packages()
	want := []string{"p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("stored %v, want %v in order", got, want)
	}
	es.mu.Lock()
	batches := fmt.Sprint(es.batches)
	stamped := es.evs[0].Time
	es.mu.Unlock()
	if batches != "[4 4 2]" {
		t.Errorf("batch sizes = %s, want [4 4 2]", batches)
	}
	if !stamped.Equal(fixed) {
		t.Errorf("event Time = %v, want the Record-time clock %v", stamped, fixed)
	}
	if r.Dropped() != 0 {
		t.Errorf("Dropped = %d, want 0", r.Dropped())
	}
}

func TestRecorderRunDrainsOnCancel(t *testing.T) {
	es := &memEvents{}
	// A flush interval far beyond the test: only the drain can write.
	r := NewRecorder(es, RecorderOptions{FlushEvery: time.Hour})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	for i := range 5 {
		r.Record(Event{Kind: KindDecision, Package: fmt.Sprintf("p%d", i)})
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if got := es.packages(); len(got) != 5 {
		t.Errorf("after Run returned the store has %v, want 5 events", got)
	}
}

func TestRecorderRunFlushesPeriodically(t *testing.T) {
	es := &memEvents{}
	r := NewRecorder(es, RecorderOptions{FlushEvery: 5 * time.Millisecond})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() { _ = r.Run(ctx) }()
	r.Record(Event{Kind: KindAdmin, Package: "x"})
	deadline := time.Now().Add(30 * time.Second)
	for len(es.packages()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("event not written by Run within 30s")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestRecorderFullBufferDrops(t *testing.T) {
	es := &memEvents{gate: make(chan struct{})} // the store hangs
	var logs bytes.Buffer                       // written by Record only: the burst, then this goroutine
	// The drop report is limited to once per second of this clock, so the
	// burst's wall time (long under -race on a loaded machine) cannot add a
	// second report.
	clk := &fakeClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	r := NewRecorder(es, RecorderOptions{Buffer: 8, BatchSize: 4, Logger: slog.New(slog.NewTextHandler(&logs, nil)), Now: clk.Now})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()

	// The store hangs until the gate opens: a Record that blocked would
	// never return, so the burst finishing at all shows none did.
	burst := make(chan struct{})
	go func() {
		defer close(burst)
		for i := range 1000 {
			r.Record(Event{Kind: KindDecision, Package: fmt.Sprintf("p%d", i)})
		}
	}()
	select {
	case <-burst:
	case <-time.After(30 * time.Second):
		t.Fatal("1000 Record calls did not return with a hung store: Record blocks")
	}
	// At most the buffer plus one batch in flight can be kept.
	if d := r.Dropped(); d < 1000-8-4 {
		t.Errorf("Dropped = %d, want at least %d", d, 1000-8-4)
	}
	if n := strings.Count(logs.String(), "buffer full"); n != 1 {
		t.Errorf("drop reported %d times in a burst, want once:\n%s", n, logs.String())
	}
	close(es.gate) // the store recovers; the drain writes what was kept
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	kept := uint64(len(es.packages()))
	if kept+r.Dropped() != 1000 {
		t.Errorf("stored %d + dropped %d != 1000 recorded", kept, r.Dropped())
	}
}

// Drops are reported at most once per second of the recorder's clock: a
// later drop in the same second is counted silently, one a second later is
// reported again.
func TestRecorderDropReportOncePerSecond(t *testing.T) {
	var logs bytes.Buffer
	clk := &fakeClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	r := NewRecorder(&memEvents{}, RecorderOptions{Buffer: 1, Logger: slog.New(slog.NewTextHandler(&logs, nil)), Now: clk.Now})
	reports := func() int { return strings.Count(logs.String(), "buffer full") }
	r.Record(Event{Kind: KindAdmin, Package: "kept"}) // nothing runs: the buffer stays full
	r.Record(Event{Kind: KindAdmin, Package: "first drop"})
	clk.Advance(999 * time.Millisecond)
	r.Record(Event{Kind: KindAdmin, Package: "same second"})
	if n, d := reports(), r.Dropped(); n != 1 || d != 2 {
		t.Fatalf("two drops within a second: %d reports, %d dropped; want 1 report, 2 dropped:\n%s", n, d, logs.String())
	}
	clk.Advance(time.Millisecond)
	r.Record(Event{Kind: KindAdmin, Package: "next second"})
	if n, d := reports(), r.Dropped(); n != 2 || d != 3 {
		t.Errorf("a drop a second after the first: %d reports, %d dropped; want 2 reports, 3 dropped:\n%s", n, d, logs.String())
	}
}

// A store that fails (PostgreSQL restarting, a full disk) loses nothing:
// the failed batch and everything queued after it are written, in order,
// once the store takes writes again.
func TestRecorderKeepsEventsWhileTheStoreFails(t *testing.T) {
	boom := errors.New("connection refused")
	es := &memEvents{err: boom}
	r := NewRecorder(es, RecorderOptions{BatchSize: 2})
	for i := range 3 {
		r.Record(Event{Kind: KindAdmin, Package: fmt.Sprintf("p%d", i)})
	}
	err := r.Flush(t.Context())
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "3 kept to retry") {
		t.Fatalf("Flush error = %v, want the store error saying 3 events are kept", err)
	}
	if err := r.Flush(t.Context()); !errors.Is(err, boom) {
		t.Fatalf("second Flush error = %v, want the store error", err)
	}
	for i := 3; i < 5; i++ {
		r.Record(Event{Kind: KindAdmin, Package: fmt.Sprintf("p%d", i)})
	}
	es.mu.Lock()
	es.err = nil
	es.mu.Unlock()
	if err := r.Flush(t.Context()); err != nil {
		t.Fatalf("Flush after the store recovered: %v", err)
	}
	if diff := cmp.Diff([]string{"p0", "p1", "p2", "p3", "p4"}, es.packages()); diff != "" {
		t.Errorf("stored (-want +got):\n%s", diff)
	}
	if r.Dropped() != 0 {
		t.Errorf("Dropped = %d, want 0", r.Dropped())
	}
}

// invalidEvents refuses, as ErrInvalid, every batch holding an event for
// the package "bad".
type invalidEvents struct{ memEvents }

func (m *invalidEvents) RecordEvents(ctx context.Context, evs ...Event) error {
	for _, ev := range evs {
		if ev.Package == "bad" {
			return fmt.Errorf("encode event: %w", ErrInvalid)
		}
	}
	return m.memEvents.RecordEvents(ctx, evs...)
}

// An event the store refuses as invalid costs only itself, not the other
// events of its batch, and does not block the events behind it.
func TestRecorderDropsOnlyInvalidEvents(t *testing.T) {
	es := &invalidEvents{}
	r := NewRecorder(es, RecorderOptions{BatchSize: 4})
	for _, p := range []string{"a", "bad", "b", "c", "d", "e"} {
		r.Record(Event{Kind: KindDecision, Package: p})
	}
	err := r.Flush(t.Context())
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "1 events refused") {
		t.Errorf("Flush error = %v, want one event refused as invalid", err)
	}
	if diff := cmp.Diff([]string{"a", "b", "c", "d", "e"}, es.packages()); diff != "" {
		t.Errorf("stored (-want +got):\n%s", diff)
	}
	if r.Dropped() != 1 {
		t.Errorf("Dropped = %d, want 1", r.Dropped())
	}
}

// syncBuffer is a bytes.Buffer safe for a logger on another goroutine.
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

// Run reports a failing store once when it starts failing (not on every
// 5 ms retry) and once when writes succeed again, and the events recorded
// meanwhile are all written.
func TestRecorderRunReportsAnOutageOnce(t *testing.T) {
	es := &memEvents{err: errors.New("connection refused")}
	var logs syncBuffer
	clk := &fakeClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	r := NewRecorder(es, RecorderOptions{FlushEvery: 5 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logs, nil)), Now: clk.Now})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	r.Record(Event{Kind: KindDecision, Package: "during"})
	waitFor(t, "the failure report", func() bool { return strings.Contains(logs.String(), "keeping them to retry") })
	time.Sleep(50 * time.Millisecond) // about ten more failed flushes
	es.mu.Lock()
	es.err = nil
	es.mu.Unlock()
	waitFor(t, "the recovery report", func() bool { return strings.Contains(logs.String(), "audit events written again") })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := strings.Count(logs.String(), "keeping them to retry"); n != 1 {
		t.Errorf("failure reported %d times, want once:\n%s", n, logs.String())
	}
	if diff := cmp.Diff([]string{"during"}, es.packages()); diff != "" {
		t.Errorf("stored (-want +got):\n%s", diff)
	}
}

// When the store is still down at shutdown, Run says how many events it
// could not write.
func TestRecorderRunReportsUnwrittenEventsAtShutdown(t *testing.T) {
	es := &memEvents{err: errors.New("connection refused")}
	r := NewRecorder(es, RecorderOptions{FlushEvery: time.Hour})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	for range 3 {
		r.Record(Event{Kind: KindDecision})
	}
	cancel()
	err := <-done
	if err == nil || !strings.Contains(err.Error(), "3 not written") {
		t.Errorf("Run = %v, want an error saying 3 events were not written", err)
	}
	if r.Dropped() != 3 {
		t.Errorf("Dropped = %d, want 3", r.Dropped())
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within 30s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// Client-controlled fields (User-Agent, requested version and file) are
// bounded before they are queued, so a flood of huge headers cannot fill
// memory or the audit database.
func TestRecorderBoundsClientFields(t *testing.T) {
	t.Parallel()
	m := &memEvents{}
	r := NewRecorder(m, RecorderOptions{})
	huge := strings.Repeat("é", 500_000) // 1 MB of two-byte runes
	r.Record(Event{Kind: KindDecision, Package: "pkg", Client: huge, Version: huge, File: huge, Route: huge})
	if err := r.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	evs, _, _ := m.Events(t.Context(), EventQuery{})
	if len(evs) != 1 {
		t.Fatalf("%d events stored, want 1", len(evs))
	}
	ev := evs[0]
	for name, v := range map[string]string{"Client": ev.Client, "Version": ev.Version, "File": ev.File, "Route": ev.Route} {
		if len(v) > MaxEventField || !utf8.ValidString(v) || !strings.HasPrefix(huge, strings.TrimSuffix(v, "…")) {
			t.Errorf("%s: %d bytes (valid UTF-8 %t), want a prefix of at most %d bytes", name, len(v), utf8.ValidString(v), MaxEventField)
		}
	}
	if ev.Package != "pkg" {
		t.Errorf("Package = %q, want pkg", ev.Package)
	}
}

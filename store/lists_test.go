package store

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// memLists is an in-memory ListStore that counts reads and can fail.
type memLists struct {
	mu      sync.Mutex
	entries []policy.ListEntry
	reads   int
	err     error
}

func (m *memLists) PutEntry(_ context.Context, e policy.ListEntry) (policy.ListEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries = append(m.entries, e)
	return e, nil
}

func (m *memLists) GetEntry(_ context.Context, id string) (policy.ListEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range m.entries {
		if e.ID == id {
			return e, nil
		}
	}
	return policy.ListEntry{}, ErrNotFound
}

func (m *memLists) DeleteEntry(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := len(m.entries)
	m.entries = slices.DeleteFunc(m.entries, func(e policy.ListEntry) bool { return e.ID == id })
	if len(m.entries) == n {
		return ErrNotFound
	}
	return nil
}

func (m *memLists) Entries(context.Context) ([]policy.ListEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads++
	if m.err != nil {
		return nil, m.err
	}
	return slices.Clone(m.entries), nil
}

func (m *memLists) setErr(err error) {
	m.mu.Lock()
	m.err = err
	m.mu.Unlock()
}

func (m *memLists) readCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.reads
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newTestLists(static []policy.ListEntry, st ListStore, ttl time.Duration) (*Lists, *fakeClock, *bytes.Buffer) {
	clk := &fakeClock{t: t0}
	var logs bytes.Buffer
	l := NewLists(static, st, ttl).WithLogger(slog.New(slog.NewTextHandler(&logs, nil)))
	l.clock = clk.Now
	return l, clk, &logs
}

func TestListsMergeAndMatch(t *testing.T) {
	ctx := t.Context()
	static := []policy.ListEntry{
		{ID: "c1", Kind: policy.Allowlist, Ecosystem: policy.PyPI, Pattern: "requests"},
		{ID: "c2", Kind: policy.Allowlist, Ecosystem: policy.NPM, Pattern: "left-pad", Source: "bogus"},
	}
	st := &memLists{entries: []policy.ListEntry{
		{ID: "s1", Kind: policy.Deny, Ecosystem: policy.NPM, Pattern: "left-pad"},
		{ID: "s2", Kind: policy.Allowlist, Ecosystem: policy.PyPI, Pattern: "internal-*"},
		{ID: "s3", Kind: policy.Allowlist, Ecosystem: policy.PyPI, Pattern: "old", Expires: t0.Add(-time.Hour)},
	}}
	l, _, _ := newTestLists(static, st, 0)

	all, err := l.All(ctx)
	if err != nil {
		t.Fatalf("All: %v", err)
	}
	var got []string
	for _, e := range all {
		got = append(got, e.ID+":"+e.Source)
	}
	want := []string{"c1:config", "c2:config", "s1:store", "s2:store", "s3:store"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("All mismatch (-want +got):\n%s", diff)
	}
	if static[1].Source != "bogus" {
		t.Errorf("NewLists modified the caller's slice: Source = %q", static[1].Source)
	}

	tests := []struct {
		ref    policy.Ref
		wantID string // "" for no match
	}{
		{policy.Ref{Ecosystem: policy.PyPI, Name: "requests"}, "c1"},
		{policy.Ref{Ecosystem: policy.NPM, Name: "left-pad"}, "s1"}, // deny in store beats allow in config
		{policy.Ref{Ecosystem: policy.PyPI, Name: "internal-tools"}, "s2"},
		{policy.Ref{Ecosystem: policy.PyPI, Name: "old"}, ""}, // expired
		{policy.Ref{Ecosystem: policy.NPM, Name: "requests"}, ""},
	}
	for _, tc := range tests {
		e, err := l.Match(ctx, tc.ref, t0)
		if err != nil {
			t.Fatalf("Match(%s): %v", tc.ref, err)
		}
		gotID := ""
		if e != nil {
			gotID = e.ID
		}
		if gotID != tc.wantID {
			t.Errorf("Match(%s) = %q, want %q", tc.ref, gotID, tc.wantID)
		}
	}
}

func TestListsCacheTTLAndInvalidate(t *testing.T) {
	ctx := t.Context()
	st := &memLists{}
	l, clk, _ := newTestLists(nil, st, 5*time.Second)
	ref := policy.Ref{Ecosystem: policy.PyPI, Name: "newpkg"}

	if e, err := l.Match(ctx, ref, t0); err != nil || e != nil {
		t.Fatalf("Match on empty store = %v, %v; want nil, nil", e, err)
	}
	if _, err := st.PutEntry(ctx, policy.ListEntry{ID: "a", Kind: policy.Allowlist, Ecosystem: policy.PyPI, Pattern: "newpkg"}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(4 * time.Second)
	if e, _ := l.Match(ctx, ref, t0); e != nil {
		t.Errorf("Match within TTL = %+v, want the cached (empty) snapshot", e)
	}
	if n := st.readCount(); n != 1 {
		t.Errorf("store read %d times within TTL, want 1", n)
	}
	clk.Advance(2 * time.Second)
	if e, _ := l.Match(ctx, ref, t0); e == nil || e.ID != "a" {
		t.Errorf("Match after TTL = %+v, want entry a", e)
	}
	if n := st.readCount(); n != 2 {
		t.Errorf("store read %d times, want 2", n)
	}

	if err := st.DeleteEntry(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	l.Invalidate()
	if e, _ := l.Match(ctx, ref, t0); e != nil {
		t.Errorf("Match after Invalidate = %+v, want nil", e)
	}
	if n := st.readCount(); n != 3 {
		t.Errorf("store read %d times, want 3", n)
	}
}

func TestListsStoreErrors(t *testing.T) {
	ctx := t.Context()
	boom := errors.New("disk on fire")
	deny := policy.ListEntry{ID: "d", Kind: policy.Deny, Ecosystem: policy.NPM, Pattern: "evil"}
	ref := policy.Ref{Ecosystem: policy.NPM, Name: "evil"}

	t.Run("no snapshot fails closed", func(t *testing.T) {
		st := &memLists{entries: []policy.ListEntry{deny}, err: boom}
		l, _, _ := newTestLists(nil, st, time.Second)
		if e, err := l.Match(ctx, ref, t0); !errors.Is(err, boom) || e != nil {
			t.Errorf("Match = %v, %v; want nil and the store error", e, err)
		}
		if _, err := l.All(ctx); !errors.Is(err, boom) {
			t.Errorf("All error = %v, want the store error", err)
		}
	})

	t.Run("stale snapshot under a minute is used and logged", func(t *testing.T) {
		st := &memLists{entries: []policy.ListEntry{deny}}
		l, clk, logs := newTestLists(nil, st, time.Second)
		if e, err := l.Match(ctx, ref, t0); err != nil || e == nil {
			t.Fatalf("Match = %v, %v; want the deny entry", e, err)
		}
		st.setErr(boom)
		clk.Advance(30 * time.Second)
		e, err := l.Match(ctx, ref, t0)
		if err != nil || e == nil || e.ID != "d" {
			t.Errorf("Match with failing store and 30s snapshot = %v, %v; want the deny entry", e, err)
		}
		if !strings.Contains(logs.String(), "judging with the last lists loaded") || !strings.Contains(logs.String(), "disk on fire") {
			t.Errorf("log = %q, want a stale-lists warning with the error", logs.String())
		}
		// More requests during the outage are not logged again each.
		for range 20 {
			if _, err := l.Match(ctx, ref, t0); err != nil {
				t.Fatal(err)
			}
		}
		if n := strings.Count(logs.String(), "allow/deny lists unreadable"); n != 1 {
			t.Errorf("%d outage reports for 21 requests, want 1:\n%s", n, logs.String())
		}
		clk.Advance(31 * time.Second)
		if e, err := l.Match(ctx, ref, t0); !errors.Is(err, boom) || e != nil {
			t.Errorf("Match with 61s snapshot = %v, %v; want the store error", e, err)
		}
		if !strings.Contains(logs.String(), "unreadable for longer than store.max_stale; refusing") {
			t.Errorf("log = %q, want the switch to refusing reported at once", logs.String())
		}
		// Recovery: the store answers again (read after the retry
		// interval), and the log says so once.
		st.setErr(nil)
		clk.Advance(outageRetryEvery)
		if e, err := l.Match(ctx, ref, t0); err != nil || e == nil {
			t.Errorf("Match after recovery = %v, %v; want the deny entry", e, err)
		}
		if n := strings.Count(logs.String(), "allow/deny lists readable again"); n != 1 {
			t.Errorf("%d recovery reports, want 1:\n%s", n, logs.String())
		}
	})

	t.Run("invalidate then error retries", func(t *testing.T) {
		st := &memLists{entries: []policy.ListEntry{deny}}
		l, clk, _ := newTestLists(nil, st, time.Hour)
		if _, err := l.Match(ctx, ref, t0); err != nil {
			t.Fatal(err)
		}
		st.setErr(boom)
		l.Invalidate()
		if _, err := l.Match(ctx, ref, t0); err != nil {
			t.Fatalf("Match with fresh stale snapshot: %v", err)
		}
		st.setErr(nil)
		if err := st.DeleteEntry(ctx, "d"); err != nil {
			t.Fatal(err)
		}
		// within the retry interval the last lists answer, unread
		if e, err := l.Match(ctx, ref, t0); err != nil || e == nil {
			t.Errorf("Match within the retry interval = %v, %v; want the last lists loaded", e, err)
		}
		clk.Advance(outageRetryEvery)
		if e, err := l.Match(ctx, ref, t0); err != nil || e != nil {
			t.Errorf("Match after failed refresh and recovery = %v, %v; want a reread with no entry", e, err)
		}
	})
}

func TestListsConcurrent(t *testing.T) {
	ctx := t.Context()
	st := &memLists{entries: []policy.ListEntry{{ID: "a", Kind: policy.Allowlist, Ecosystem: policy.PyPI, Pattern: "x"}}}
	l := NewLists(nil, st, time.Nanosecond)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			for range 50 {
				e, err := l.Match(ctx, policy.Ref{Ecosystem: policy.PyPI, Name: "x"}, t0)
				if err != nil || e == nil {
					t.Errorf("Match = %v, %v", e, err)
					return
				}
				l.Invalidate()
			}
		})
	}
	wg.Wait()
}

func TestListsWithoutStore(t *testing.T) {
	now := time.Now()
	l := NewLists([]policy.ListEntry{{ID: "c1", Kind: policy.Allowlist, Ecosystem: policy.PyPI, Pattern: "requests", Created: now}}, nil, 0)
	got, err := l.Match(context.Background(), policy.Ref{Ecosystem: policy.PyPI, Name: "requests"}, now)
	if err != nil || got == nil || got.ID != "c1" || got.Source != SourceConfig {
		t.Fatalf("Match without a store = %+v, %v; want the config entry", got, err)
	}
	all, err := l.All(context.Background())
	if err != nil || len(all) != 1 {
		t.Fatalf("All without a store = %v, %v", all, err)
	}
}

func TestListsMaxStaleAndReady(t *testing.T) {
	ctx := t.Context()
	boom := errors.New("database unreachable")
	deny := policy.ListEntry{ID: "d", Kind: policy.Deny, Ecosystem: policy.NPM, Pattern: "evil"}
	ref := policy.Ref{Ecosystem: policy.NPM, Name: "evil"}

	st := &memLists{entries: []policy.ListEntry{deny}, err: boom}
	l, clk, _ := newTestLists(nil, st, time.Second)
	l.WithMaxStale(5 * time.Minute)
	if err := l.Ready(ctx); !errors.Is(err, boom) {
		t.Errorf("Ready before any load = %v, want the store error (lists never loaded)", err)
	}
	st.setErr(nil)
	clk.Advance(outageRetryEvery) // a failed read is retried after the interval
	if err := l.Ready(ctx); err != nil {
		t.Fatalf("Ready after a load: %v", err)
	}
	st.setErr(boom)
	clk.Advance(4 * time.Minute)
	if err := l.Ready(ctx); err != nil {
		t.Errorf("Ready with a 4-minute-old snapshot and max stale 5m: %v, want ready", err)
	}
	if e, err := l.Match(ctx, ref, t0); err != nil || e == nil || e.ID != "d" {
		t.Errorf("Match within max stale = %v, %v; want the last loaded deny entry", e, err)
	}
	clk.Advance(61 * time.Second)
	if err := l.Ready(ctx); !errors.Is(err, boom) {
		t.Errorf("Ready past max stale = %v, want the store error", err)
	}
	if e, err := l.Match(ctx, ref, t0); !errors.Is(err, boom) || !errors.Is(err, ErrListsUnavailable) || e != nil {
		t.Errorf("Match past max stale = %v, %v; want the store error and ErrListsUnavailable (fail closed)", e, err)
	}
	st.setErr(nil)
	clk.Advance(outageRetryEvery)
	if err := l.Ready(ctx); err != nil {
		t.Errorf("Ready after the store recovers: %v", err)
	}
	if err := NewLists(nil, nil, 0).Ready(ctx); err != nil {
		t.Errorf("Ready without a store: %v", err)
	}
}

// blockingLists is a store whose reads fail, each after a delay (a
// database behind a network partition, failing at its connect timeout).
type blockingLists struct {
	memLists
	delay time.Duration
	reads atomic.Int32
}

func (b *blockingLists) Entries(ctx context.Context) ([]policy.ListEntry, error) {
	b.reads.Add(1)
	time.Sleep(b.delay)
	return nil, errors.New("connect: i/o timeout")
}

// During an outage that makes each read wait, requests are answered from the
// last lists loaded while one of them retries the store: none waits behind
// another's read, and the store is read one at a time.
func TestListsOutageDoesNotQueueRequests(t *testing.T) {
	ctx := t.Context()
	deny := policy.ListEntry{ID: "d", Kind: policy.Deny, Ecosystem: policy.NPM, Pattern: "evil"}
	ok := &memLists{entries: []policy.ListEntry{deny}}
	l := NewLists(nil, ok, time.Nanosecond)
	if _, err := l.Match(ctx, policy.Ref{Ecosystem: policy.NPM, Name: "evil"}, t0); err != nil {
		t.Fatal(err)
	}
	slow := &blockingLists{delay: 300 * time.Millisecond}
	l.st = slow
	start := time.Now()
	var wg sync.WaitGroup
	var failures atomic.Int32
	for range 20 {
		wg.Go(func() {
			e, err := l.Match(ctx, policy.Ref{Ecosystem: policy.NPM, Name: "evil"}, t0)
			if err != nil || e == nil || e.ID != "d" {
				failures.Add(1)
			}
		})
	}
	wg.Wait()
	if took := time.Since(start); took > 2*slow.delay {
		t.Errorf("20 requests took %v with one store read of %v: they queued behind it", took, slow.delay)
	}
	if n := failures.Load(); n != 0 {
		t.Errorf("%d of 20 requests were not judged with the last lists loaded", n)
	}
	if n := slow.reads.Load(); n != 1 {
		t.Errorf("store read %d times, want 1 (one retry at a time, then the retry interval)", n)
	}
}

// TestListsUsableSnapshot: the last lists loaded judge while they are
// younger than the max-stale bound, not at it; the same bound holds for
// the read that finds the store failing (entries) and for the requests
// answered without reading it meanwhile (outage).
func TestListsUsableSnapshot(t *testing.T) {
	l := NewLists(nil, &memLists{}, time.Second).WithMaxStale(time.Minute)
	snap := []policy.ListEntry{}
	for _, tc := range []struct {
		snap []policy.ListEntry
		age  time.Duration
		want bool
	}{
		{snap, 0, true},
		{snap, time.Minute - time.Nanosecond, true},
		{snap, time.Minute, false},
		{nil, 0, false}, // never loaded
	} {
		if got := l.usable(tc.snap, t0, t0.Add(tc.age)); got != tc.want {
			t.Errorf("usable(snapshot %v, age %v) = %v, want %v", tc.snap != nil, tc.age, got, tc.want)
		}
	}

	ctx := t.Context()
	deny := policy.ListEntry{ID: "d", Kind: policy.Deny, Ecosystem: policy.NPM, Pattern: "evil"}
	ref := policy.Ref{Ecosystem: policy.NPM, Name: "evil"}
	for _, tc := range []struct {
		age     time.Duration
		usable  bool
		through string
	}{
		{time.Minute - time.Nanosecond, true, "entries"},
		{time.Minute, false, "entries"},
		{time.Minute - time.Nanosecond, true, "outage"},
		{time.Minute, false, "outage"},
	} {
		st := &memLists{entries: []policy.ListEntry{deny}}
		l, clk, _ := newTestLists(nil, st, time.Second)
		l.WithMaxStale(time.Minute)
		if _, err := l.Match(ctx, ref, t0); err != nil {
			t.Fatalf("first load: %v", err)
		}
		st.setErr(errors.New("database unreachable"))
		if tc.through == "outage" {
			// One failing read starts the outage; later requests within
			// the retry interval are answered without reading.
			clk.Advance(tc.age - outageRetryEvery/2)
			if _, err := l.Match(ctx, ref, t0); err != nil {
				t.Fatalf("failing read at %v: %v", tc.age-outageRetryEvery/2, err)
			}
			clk.Advance(outageRetryEvery / 2)
		} else {
			clk.Advance(tc.age)
		}
		reads := st.readCount()
		e, err := l.Match(ctx, ref, t0)
		if tc.through == "outage" && st.readCount() != reads {
			t.Errorf("age %v: the store was read within the retry interval", tc.age)
		}
		if got := err == nil && e != nil && e.ID == "d"; got != tc.usable {
			t.Errorf("Match through %s with lists %v old (max stale 1m) = %v, %v; want judged with them: %v", tc.through, tc.age, e, err, tc.usable)
		}
		if !tc.usable && !errors.Is(err, ErrListsUnavailable) {
			t.Errorf("Match through %s with lists %v old = %v, want ErrListsUnavailable", tc.through, tc.age, err)
		}
	}
}

package proxy

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
	"github.com/vigil-proxy/vigil-proxy/store/boltstore"
)

// batchSink writes events to a store in batches, like store.Recorder.
type batchSink struct {
	t     *testing.T
	s     *boltstore.Store
	mu    sync.Mutex
	batch []store.Event
	total int
}

func (b *batchSink) Record(ev store.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.batch = append(b.batch, ev)
	b.total++
	if len(b.batch) >= 256 {
		b.flushLocked()
	}
}

func (b *batchSink) flushLocked() {
	if len(b.batch) == 0 {
		return
	}
	if err := b.s.RecordEvents(b.t.Context(), b.batch...); err != nil {
		b.t.Fatal(err)
	}
	b.batch = b.batch[:0]
}

// warmEvent is a realistic allow on a cache hit: a warn finding (DEP-004),
// a pip User-Agent, about 1.5 KB stored.
func warmEvent(now time.Time, i int) store.Event {
	pkg := fmt.Sprintf("package-%03d", i%500)
	return store.Event{
		Time: now, Kind: store.KindDecision, Ecosystem: policy.PyPI, Package: pkg, Route: []string{"simple", "json", "file"}[i%3],
		Verdict: "warn", Rules: []string{"DEP-004"}, Reason: "`" + pkg + "` has fewer weekly downloads than the policy's 100 (unknown: no source answered)",
		Findings: []policy.Finding{{Rule: "DEP-004", Verdict: policy.Warn, Reason: "download count unknown: no popularity source answered for " + pkg}},
		Client:   `pip/23.2.1 {"ci":null,"cpu":"x86_64","distro":{"id":"bookworm","libc":{"lib":"glibc","version":"2.36"},"name":"Debian GNU/Linux","version":"12"},"implementation":{"name":"CPython","version":"3.11.7"},"installer":{"name":"pip","version":"23.2.1"},"openssl_version":"OpenSSL 3.0.19 27 Jan 2026","python":"3.11.7","setuptools_version":"65.5.0","system":{"name":"Linux","release":"6.1"}}`,
	}
}

// Issue 10: one million warm hits (500 packages, three routes) over a
// simulated hour grow the live audit data by less than 5 MB, and every hit
// is still accounted for (full events plus aggregated counts).
func TestWarmHitsKeepTheAuditSmall(t *testing.T) {
	hits := 1_000_000
	if testing.Short() {
		hits = 100_000
	}
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "store.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	now := start
	sink := &batchSink{t: t, s: st}
	agg := newAuditAggregator(sink, func() time.Time { return now })
	before, err := st.EventsSize(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	step := time.Hour / time.Duration(hits)
	for i := range hits {
		now = start.Add(time.Duration(i) * step)
		agg.record(warmEvent(now, i))
	}
	now = start.Add(time.Hour)
	agg.Flush()
	sink.mu.Lock()
	sink.flushLocked()
	sink.mu.Unlock()
	after, err := st.EventsSize(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	grown := float64(after-before) / (1 << 20)
	t.Logf("%d warm hits over a simulated hour: %d events stored, live audit data grew %.2f MiB", hits, sink.total, grown)
	if grown >= 5 {
		t.Errorf("live audit data grew %.2f MiB, want under 5 MiB", grown)
	}
	// Every hit is accounted for.
	counted := 0
	q := store.EventQuery{Limit: 500}
	for {
		evs, next, err := st.Events(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			counted += max(ev.Count, 1)
		}
		if next == "" {
			break
		}
		q.Cursor = next
	}
	if counted != hits {
		t.Errorf("the trail accounts for %d hits, want %d", counted, hits)
	}
}

// A decision change and every refusal are recorded in full, never folded
// into a count.
func TestAuditRecordsChangesAndRefusals(t *testing.T) {
	var got []store.Event
	sink := sinkFunc(func(ev store.Event) { got = append(got, ev) })
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	agg := newAuditAggregator(sink, func() time.Time { return now })
	allow := store.Event{Time: now, Kind: store.KindDecision, Ecosystem: policy.NPM, Package: "left-pad", Route: "packument", Verdict: "allow"}
	block := allow
	block.Verdict, block.Rules = "block", []string{"DEP-002"}
	for _, ev := range []store.Event{allow, allow, allow, block, block, allow, allow} {
		agg.record(ev)
	}
	agg.Flush()
	var seq []string
	for _, ev := range got {
		seq = append(seq, fmt.Sprintf("%s×%d", ev.Verdict, max(ev.Count, 1)))
	}
	want := "[allow×1 allow×2 block×1 block×1 allow×1 allow×1]"
	if fmt.Sprint(seq) != want {
		t.Errorf("recorded %v, want %s (changes and refusals in full, repeats counted)", seq, want)
	}
}

type sinkFunc func(store.Event)

func (f sinkFunc) Record(ev store.Event) { f(ev) }

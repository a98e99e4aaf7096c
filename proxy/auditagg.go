package proxy

import (
	"fmt"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/vigil-proxy/vigil-proxy/store"
)

// maxAggregated bounds how many (package, version, route) keys the audit
// aggregator remembers; an evicted key's count is written out first.
const maxAggregated = 50_000

// auditAggregator keeps warm traffic out of the audit trail: every refusal
// and every change of decision is recorded in full, but a decision that
// repeats the previous one for the same package, version, file and route on
// the same day is only counted. The counts are written as one small
// summary event per key and day: when the day changes, every hour, when the
// key is evicted, and on Flush (shutdown).
type auditAggregator struct {
	sink EventSink
	now  func() time.Time

	mu        sync.Mutex
	keys      *lru.Cache[string, *aggregate]
	lastSweep time.Time
}

// aggregate is the state of one key: the decision last recorded in full and
// how many identical ones followed it, uncounted in the trail so far.
type aggregate struct {
	signature string
	day       string
	template  store.Event // the last full event, for the summary's fields
	repeats   int
}

func newAuditAggregator(sink EventSink, now func() time.Time) *auditAggregator {
	a := &auditAggregator{sink: sink, now: now}
	a.keys, _ = lru.NewWithEvict(maxAggregated, func(_ string, g *aggregate) { a.summarize(g) })
	return a
}

// record passes ev to the sink unless it repeats the key's previous
// decision today, in which case it is counted.
func (a *auditAggregator) record(ev store.Event) {
	if a == nil || a.sink == nil {
		return
	}
	if ev.Kind != store.KindDecision {
		a.sink.Record(ev)
		return
	}
	key := strings.Join([]string{string(ev.Ecosystem), ev.Package, ev.Version, ev.File, ev.Route}, "\x00")
	sig := ev.Verdict + "\x00" + strings.Join(ev.Rules, ",") + "\x00" + ev.Reason
	day := ev.Time.UTC().Format(time.DateOnly)

	a.mu.Lock()
	defer a.mu.Unlock()
	a.sweepLocked(ev.Time)
	if g, ok := a.keys.Get(key); ok && g.signature == sig && g.day == day && ev.Verdict != "block" {
		g.repeats++ // every refusal is recorded in full, below
		return
	} else if ok {
		a.summarize(g) // the decision or the day changed: close the old count
	}
	a.keys.Add(key, &aggregate{signature: sig, day: day, template: ev})
	a.sink.Record(ev)
}

// sweepLocked writes every pending count once an hour, so that counts reach
// the trail (and the dashboard) without waiting for the day to end.
func (a *auditAggregator) sweepLocked(now time.Time) {
	if a.lastSweep.IsZero() {
		a.lastSweep = now
		return
	}
	if now.Sub(a.lastSweep) < time.Hour {
		return
	}
	a.lastSweep = now
	for _, k := range a.keys.Keys() {
		if g, ok := a.keys.Peek(k); ok {
			a.summarize(g)
		}
	}
}

// summarize writes g's pending count as one summary event and resets it.
func (a *auditAggregator) summarize(g *aggregate) {
	if g.repeats == 0 {
		return
	}
	t := g.template
	a.sink.Record(store.Event{
		Time: a.now(), Kind: store.KindDecision, Count: g.repeats,
		Ecosystem: t.Ecosystem, Package: t.Package, Version: t.Version, File: t.File, Route: t.Route,
		Verdict: t.Verdict, Rules: t.Rules,
		Reason: fmt.Sprintf("%d more identical decisions on %s (aggregated)", g.repeats, g.day),
	})
	g.repeats = 0
}

// FlushAudit writes the pending counts of aggregated decisions to the event
// sink; call it on shutdown, before the sink's own final flush.
func (s *Server) FlushAudit() { s.audit.Flush() }

// Flush writes every pending count.
func (a *auditAggregator) Flush() {
	if a == nil || a.sink == nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, k := range a.keys.Keys() {
		if g, ok := a.keys.Peek(k); ok {
			a.summarize(g)
		}
	}
}

package boltstore_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
	"github.com/vigil-proxy/vigil-proxy/store/boltstore"
)

// Pruning frees pages but never shrinks the file; Compact (run while the
// proxy is stopped) does, keeping every live record.
func TestCompactShrinksAfterPrune(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	old := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 40 {
		evs := make([]store.Event, 500)
		for j := range evs {
			evs[j] = store.Event{Time: old.Add(time.Duration(i*500+j) * time.Second), Kind: store.KindDecision, Ecosystem: policy.PyPI,
				Package: "pkg", Verdict: "allow", Client: strings.Repeat("x", 1000)}
		}
		if err := s.RecordEvents(ctx, evs...); err != nil {
			t.Fatal(err)
		}
	}
	keep := store.Event{Time: old.Add(48 * time.Hour), Kind: store.KindDecision, Ecosystem: policy.NPM, Package: "kept", Verdict: "block"}
	if err := s.RecordEvents(ctx, keep); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutEntry(ctx, policy.ListEntry{Kind: policy.Allowlist, Ecosystem: policy.NPM, Pattern: "left-pad"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PruneEvents(ctx, old.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := boltstore.Compact(path); !errors.Is(err, boltstore.ErrLocked) {
		t.Errorf("Compact while the store is open: %v, want ErrLocked", err)
	}
	s.Close()

	before, after, err := boltstore.Compact(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("store.db %d → %d bytes", before, after)
	if after*4 > before {
		t.Errorf("compacted %d → %d bytes, want it at least 4× smaller after pruning 20,000 events", before, after)
	}
	s, err = boltstore.Open(path, boltstore.Options{})
	if err != nil {
		t.Fatalf("reopen after compaction: %v", err)
	}
	defer s.Close()
	evs, _, err := s.Events(ctx, store.EventQuery{})
	if err != nil || len(evs) != 1 || evs[0].Package != "kept" {
		t.Errorf("events after compaction = %+v, %v; want the one kept", evs, err)
	}
	if es, err := s.Entries(ctx); err != nil || len(es) != 1 {
		t.Errorf("entries after compaction = %+v, %v; want the allow entry", es, err)
	}
}

// The audit trail is capped by size as well as age: the oldest events go
// first, and RunRetention reports how many for the metric.
func TestAuditCappedBySize(t *testing.T) {
	ctx := t.Context()
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "store.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 20 {
		evs := make([]store.Event, 500)
		for j := range evs {
			evs[j] = store.Event{Time: start.Add(time.Duration(i*500+j) * time.Second), Kind: store.KindDecision, Ecosystem: policy.PyPI,
				Package: "pkg", Verdict: "allow", Client: strings.Repeat("x", 1000)}
		}
		if err := s.RecordEvents(ctx, evs...); err != nil {
			t.Fatal(err)
		}
	}
	const maxBytes = 2 << 20
	pruned := map[string]int{}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() {
		done <- store.RunRetention(rctx, s, store.RetentionOptions{MaxBytes: maxBytes, Every: time.Hour,
			OnPruned: func(reason string, n int) { pruned[reason] += n }})
	}()
	// Pruning 10 MB of events under -race on a loaded machine can take a
	// while; the loop ends as soon as the size is within the bound.
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if size, _ := s.EventsSize(ctx); size <= maxBytes {
			break
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	size, err := s.EventsSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if size > maxBytes {
		t.Errorf("live audit data %d bytes, want at most %d", size, maxBytes)
	}
	evs, _, err := s.Events(ctx, store.EventQuery{Limit: 500})
	if err != nil || len(evs) == 0 || !evs[0].Time.Equal(start.Add(9999*time.Second)) {
		t.Errorf("the newest event was pruned: %+v, %v", evs[:min(1, len(evs))], err)
	}
	if pruned["size"] == 0 || pruned["size"] >= 10_000 {
		t.Errorf("pruned by size: %d, want some but not all of 10,000", pruned["size"])
	}
}

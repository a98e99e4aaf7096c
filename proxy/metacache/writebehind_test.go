package metacache

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
)

// More refreshes than the write queue holds, then Close: every document is
// in L2 afterwards (queued writes drained, overflow written at once).
func TestWriteBehindDrainsOnClose(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "cache.db")
	h := newHarness(t, Options{Path: path})
	n := writeQueueSize + 50
	for i := range n {
		name := fmt.Sprintf("pkg-%d", i)
		h.reg.set(name, fmt.Sprintf(`{"name":%q}`, name))
		if _, err := h.get(context.Background(), name); err != nil {
			t.Fatalf("Get %s: %v", name, err)
		}
	}
	if err := h.cache.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	c, err := Open(Options{Path: path, Now: h.clock.Now})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer c.Close()
	fetch := func(context.Context, string) (Fetched, error) { return Fetched{}, errors.New("must not fetch") }
	for i := range n {
		name := fmt.Sprintf("pkg-%d", i)
		e, err := c.Get(context.Background(), "npm/"+name, fetch, parseJSON)
		if err != nil || e.Value != name {
			t.Fatalf("Get %s after reopen = %v, %v; want it from L2", name, e, err)
		}
	}
	if st := c.Stats(); st.L2Hits != uint64(n) || st.Fetches != 0 {
		t.Errorf("Stats = %+v, want %d L2 hits and no fetch", st, n)
	}
}

// Invalidate right after a refresh: the queued write must not bring the
// record back after the delete.
func TestInvalidateAfterRefreshLeavesNothingInL2(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	for i := range 20 {
		name := fmt.Sprintf("gone-%d", i)
		h.reg.set(name, fmt.Sprintf(`{"name":%q}`, name))
		if _, err := h.get(context.Background(), name); err != nil {
			t.Fatalf("Get %s: %v", name, err)
		}
		if err := h.cache.Invalidate(context.Background(), "npm/"+name); err != nil {
			t.Fatalf("Invalidate %s: %v", name, err)
		}
	}
	h.cache.flushL2()
	for i := range 20 {
		key := fmt.Sprintf("npm/gone-%d", i)
		if _, ok, err := h.cache.l2Get(key, false); ok || err != nil {
			t.Errorf("L2 has %s = %v (%v) after Invalidate, want it gone", key, ok, err)
		}
	}
}

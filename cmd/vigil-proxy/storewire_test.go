package main

import (
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
	"github.com/vigil-proxy/vigil-proxy/store/boltstore"
)

// The first connection of the change listener rereads the lists and reports
// a change only when they differ; every later one (a reconnection after an
// outage of unknown length) reports a change unconditionally.
func TestListsResync(t *testing.T) {
	ctx := t.Context()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "store.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	lists := store.NewLists(nil, st, time.Hour)
	changes := 0
	lists.SetOnChange(func() { changes++ })
	if err := lists.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	resync := listsResync(lists)
	// A write by another replica after the load, before LISTEN was in force.
	if _, err := st.PutEntry(ctx, policy.ListEntry{Kind: policy.Deny, Ecosystem: policy.NPM, Pattern: "evil"}); err != nil {
		t.Fatal(err)
	}
	resync() // the first connection
	if changes != 0 {
		t.Fatalf("first connection: %d changes before any reread, want 0", changes)
	}
	if err := lists.Refresh(ctx); err != nil || changes != 1 {
		t.Fatalf("reread after the first connection: err %v, %d changes; want 1 (the write it had missed)", err, changes)
	}
	if e, err := lists.Match(ctx, policy.Ref{Ecosystem: policy.NPM, Name: "evil"}, time.Now()); err != nil || e == nil || e.Kind != policy.Deny {
		t.Errorf("the missed write is not in force: %+v, %v", e, err)
	}
	if err := lists.Refresh(ctx); err != nil || changes != 1 {
		t.Fatalf("unchanged reread: err %v, %d changes; want still 1", err, changes)
	}
	resync() // a reconnection: a change whatever the lists hold
	if changes != 2 {
		t.Fatalf("reconnection: %d changes, want 2", changes)
	}
}

// The stored lists are loaded when the stack is built: a store that cannot
// be read right after start (PostgreSQL restarting before the first
// request) is judged against them for store.max_stale, as any outage is,
// instead of every install being refused at once.
func TestListsLoadedAtStart(t *testing.T) {
	dataDir := t.TempDir()
	bs, err := boltstore.Open(filepath.Join(dataDir, "store.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bs.PutEntry(t.Context(), policy.ListEntry{Kind: policy.Deny, Ecosystem: policy.NPM, Pattern: "evil", Reason: "test"}); err != nil {
		t.Fatal(err)
	}
	bs.Close()
	cfg := defaultConfig()
	cfg.DataDir = dataDir
	cfg.Popularity.Online = false
	cfg.Malware.FeedURL = ""
	st, err := buildStack(t.Context(), cfg, slog.New(slog.DiscardHandler), stackOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.store.Close(); err != nil { // the store becomes unreadable
		t.Fatal(err)
	}
	st.lists.MarkStale() // as a change notification would: the next match rereads, and fails
	e, err := st.lists.Match(t.Context(), policy.Ref{Ecosystem: policy.NPM, Name: "evil"}, time.Now())
	if err != nil || e == nil || e.Kind != policy.Deny {
		t.Errorf("match with the store unreadable right after start = %+v, %v; want the deny entry loaded at start", e, err)
	}
}

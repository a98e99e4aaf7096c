package main

import (
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

package pgstore_test

import (
	"errors"
	"testing"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
	"github.com/vigil-proxy/vigil-proxy/store/pgstore"
	"github.com/vigil-proxy/vigil-proxy/store/pgstore/pgtest"
)

// TestUpdateCommitCut: when the connection drops after COMMIT reached the
// server, Update cannot say that nothing was stored: the server committed.
// The error wraps store.ErrCommitUnknown, and the change is there, whole.
// A change that fails before the commit still says nothing was stored.
func TestUpdateCommitCut(t *testing.T) {
	c := cluster
	db := c.NewDatabase(t)
	p := c.NewCutProxy(t)
	s, err := pgstore.Open(t.Context(), pgstore.Options{URL: p.URL(db), Password: pgtest.Password})
	if err != nil {
		t.Fatalf("Open through the proxy: %v", err)
	}
	defer s.Close()
	ctx := t.Context()
	entry := policy.ListEntry{Kind: policy.Allowlist, Ecosystem: policy.PyPI, Pattern: "requests", Reason: "vetted"}

	p.CutAfterNextCommit()
	var put policy.ListEntry
	err = s.Update(ctx, func(tx store.Tx) error {
		if put, err = tx.PutEntry(ctx, entry); err != nil {
			return err
		}
		return tx.RecordEvents(ctx, store.Event{Kind: store.KindAdmin, Actor: "alice", Action: "list.create", Target: put.ID})
	})
	if !errors.Is(err, store.ErrCommitUnknown) || p.Cuts() != 1 {
		t.Fatalf("Update with the connection cut during COMMIT = %v after %d cuts, want ErrCommitUnknown after 1", err, p.Cuts())
	}
	if got, err := s.GetEntry(ctx, put.ID); err != nil || got.Pattern != "requests" {
		t.Errorf("GetEntry after the cut commit = %+v, %v; want the entry (the server committed)", got, err)
	}
	evs, _, err := s.Events(ctx, store.EventQuery{Kind: store.KindAdmin})
	if err != nil || len(evs) != 1 || evs[0].Target != put.ID {
		t.Errorf("admin events after the cut commit = %+v, %v; want the one event, committed with the entry", evs, err)
	}

	// Failing before the commit is no unknown outcome.
	boom := errors.New("validation failed")
	err = s.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.PutEntry(ctx, entry); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) || errors.Is(err, store.ErrCommitUnknown) {
		t.Errorf("Update failing in fn = %v, want its error and not ErrCommitUnknown", err)
	}
	if all, err := s.Entries(ctx); err != nil || len(all) != 1 {
		t.Errorf("entries after a failed Update = %d, %v; want 1", len(all), err)
	}
}

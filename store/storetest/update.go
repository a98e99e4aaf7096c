package storetest

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// Faults configures RunFaults.
type Faults struct {
	// Open returns a new, empty store; RunFaults closes it.
	Open func(t *testing.T) store.Store
	// FailEventWrites makes every later write of audit events to s fail as
	// the implementation fails in production (a full disk, a database
	// error), while entries and requests can still be written.
	FailEventWrites func(t *testing.T, s store.Store)
}

// RunFaults runs the atomicity suite: with the audit write failing, an
// admin change made with Update stores nothing at all.
func RunFaults(t *testing.T, f Faults) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store, fail func())
	}{
		{"CreateNotStored", testFaultCreate},
		{"ReplaceNotStored", testFaultReplace},
		{"DeleteNotStored", testFaultDelete},
		{"ApproveNotStored", testFaultApprove},
		{"WatchClearNotStored", testFaultWatchClear},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := f.Open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.fn(t, s, func() { f.FailEventWrites(t, s) })
		})
	}
}

// adminEvent is the audit event of an admin change.
func adminEvent(action, target string, after any) store.Event {
	ev := store.Event{Time: base, Kind: store.KindAdmin, Actor: "alice", Action: action, Target: target}
	if after != nil {
		ev.After, _ = json.Marshal(after)
	}
	return ev
}

// snapshot is everything a test's store holds of entries, requests and
// events.
type snapshot struct {
	Entries  []policy.ListEntry
	Requests []store.Request
	Events   []store.Event
}

func take(t *testing.T, s store.Store) snapshot {
	t.Helper()
	var sn snapshot
	var err error
	if sn.Entries, err = s.Entries(t.Context()); err != nil {
		t.Fatalf("Entries: %v", err)
	}
	if sn.Requests, err = s.Requests(t.Context(), ""); err != nil {
		t.Fatalf("Requests: %v", err)
	}
	if sn.Events, _, err = s.Events(t.Context(), store.EventQuery{Limit: store.MaxEventLimit}); err != nil {
		t.Fatalf("Events: %v", err)
	}
	return sn
}

// unchanged fails t when s holds anything other than before.
func unchanged(t *testing.T, s store.Store, before snapshot) {
	t.Helper()
	if diff := cmp.Diff(before, take(t, s), timeEqual); diff != "" {
		t.Errorf("store changed by a failed Update (-before +after):\n%s", diff)
	}
}

var allowRequests = policy.ListEntry{Kind: policy.Allowlist, Ecosystem: policy.PyPI, Pattern: "requests", Reason: "vetted"}

func testUpdateCommitsTogether(t *testing.T, s store.Store) {
	ctx := t.Context()
	var e policy.ListEntry
	var r store.Request
	err := s.Update(ctx, func(tx store.Tx) error {
		var err error
		if e, err = tx.PutEntry(ctx, allowRequests); err != nil {
			return err
		}
		if e.ID == "" || e.Created.IsZero() || e.Source != store.SourceStore {
			t.Errorf("Tx.PutEntry = %+v, want ID, Created and Source set", e)
		}
		if got, err := tx.GetEntry(ctx, e.ID); err != nil || got.Pattern != "requests" {
			t.Errorf("Tx.GetEntry of its own write = %+v, %v; want the entry", got, err)
		}
		if r, err = tx.PutRequest(ctx, store.Request{Ecosystem: policy.PyPI, Name: "requests", Requester: "bob", Justification: "x", Created: base}); err != nil {
			return err
		}
		if got, err := tx.GetRequest(ctx, r.ID); err != nil || got.Status != store.RequestPending {
			t.Errorf("Tx.GetRequest of its own write = %+v, %v; want the pending request", got, err)
		}
		return tx.RecordEvents(ctx, adminEvent("list.create", e.ID, e), adminEvent("request.create", r.ID, r))
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	sn := take(t, s)
	if len(sn.Entries) != 1 || sn.Entries[0].ID != e.ID {
		t.Errorf("Entries after Update = %+v, want the entry %s", sn.Entries, e.ID)
	}
	if len(sn.Requests) != 1 || sn.Requests[0].ID != r.ID {
		t.Errorf("Requests after Update = %+v, want the request %s", sn.Requests, r.ID)
	}
	var got []string
	for _, ev := range sn.Events {
		if ev.ID == "" {
			t.Errorf("event %+v has no ID", ev)
		}
		got = append(got, ev.Action+" "+ev.Target)
	}
	// Same time: the later write has the greater ID and comes first.
	if diff := cmp.Diff([]string{"request.create " + r.ID, "list.create " + e.ID}, got); diff != "" {
		t.Errorf("Events after Update mismatch (-want +got):\n%s", diff)
	}

	// A delete and its event commit together too.
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := tx.DeleteEntry(ctx, e.ID); err != nil {
			return err
		}
		if _, err := tx.GetEntry(ctx, e.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Tx.GetEntry after its own delete error = %v, want ErrNotFound", err)
		}
		return tx.RecordEvents(ctx, adminEvent("list.delete", e.ID, nil))
	})
	if err != nil {
		t.Fatalf("Update(delete): %v", err)
	}
	if _, err := s.GetEntry(ctx, e.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetEntry after Update(delete) error = %v, want ErrNotFound", err)
	}
	if evs, _, err := s.Events(ctx, store.EventQuery{Kind: store.KindAdmin}); err != nil || len(evs) != 3 || evs[0].Action != "list.delete" {
		t.Errorf("Events after Update(delete) = %+v, %v; want list.delete newest of 3", evs, err)
	}
}

func testUpdateRollsBack(t *testing.T, s store.Store) {
	ctx := t.Context()
	kept, err := s.PutEntry(ctx, allowRequests)
	if err != nil {
		t.Fatalf("PutEntry: %v", err)
	}
	before := take(t, s)
	boom := errors.New("boom")
	var leaked store.Tx
	err = s.Update(ctx, func(tx store.Tx) error {
		leaked = tx
		if _, err := tx.PutEntry(ctx, policy.ListEntry{Kind: policy.Deny, Ecosystem: policy.NPM, Pattern: "evil"}); err != nil {
			return err
		}
		if err := tx.DeleteEntry(ctx, kept.ID); err != nil {
			return err
		}
		if _, err := tx.PutRequest(ctx, store.Request{Ecosystem: policy.NPM, Name: "x", Requester: "bob", Justification: "x"}); err != nil {
			return err
		}
		if err := tx.RecordEvents(ctx, adminEvent("list.create", "x", nil)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("Update error = %v, want fn's error", err)
	}
	unchanged(t, s, before)
	// The transaction cannot be used once Update returned.
	if _, err := leaked.PutEntry(ctx, allowRequests); err == nil {
		t.Error("Tx.PutEntry after Update returned succeeded, want an error")
	}
	if err := leaked.RecordEvents(ctx, adminEvent("late", "x", nil)); err == nil {
		t.Error("Tx.RecordEvents after Update returned succeeded, want an error")
	}
	unchanged(t, s, before)
}

// testUpdateUnwritableEvent: an event the store cannot write (its Before is
// not JSON) fails the whole change, in every implementation.
func testUpdateUnwritableEvent(t *testing.T, s store.Store) {
	ctx := t.Context()
	before := take(t, s)
	err := s.Update(ctx, func(tx store.Tx) error {
		e, err := tx.PutEntry(ctx, allowRequests)
		if err != nil {
			return err
		}
		ev := adminEvent("list.create", e.ID, e)
		ev.Before = json.RawMessage("{not json")
		return tx.RecordEvents(ctx, ev)
	})
	if err == nil {
		t.Fatal("Update with an unwritable event succeeded, want an error")
	}
	unchanged(t, s, before)
}

func testUpdateConflict(t *testing.T, s store.Store) {
	ctx := t.Context()
	r, err := s.PutRequest(ctx, store.Request{Ecosystem: policy.PyPI, Name: "fresh", Requester: "bob", Justification: "x", Created: base})
	if err != nil {
		t.Fatalf("PutRequest: %v", err)
	}
	r.Status, r.DecidedBy, r.DecidedAt = store.RequestDenied, "carol", base.Add(time.Hour)
	if r, err = s.PutRequest(ctx, r); err != nil {
		t.Fatalf("PutRequest(deny): %v", err)
	}
	before := take(t, s)
	// Approving a request denied meanwhile: the entry is not kept.
	err = s.Update(ctx, func(tx store.Tx) error {
		e, err := tx.PutEntry(ctx, allowRequests)
		if err != nil {
			return err
		}
		approved := r
		approved.Status, approved.EntryID = store.RequestApproved, e.ID
		if _, err := tx.PutRequest(ctx, approved); err != nil {
			return err
		}
		return tx.RecordEvents(ctx, adminEvent("request.approve", r.ID, approved))
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("Update(approve a denied request) error = %v, want ErrConflict", err)
	}
	unchanged(t, s, before)
	err = s.Update(ctx, func(tx store.Tx) error {
		_, err := tx.GetEntry(ctx, "missing")
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Update(Tx.GetEntry(missing)) error = %v, want ErrNotFound", err)
	}
}

// createWithEvent is the admin create: an entry and its audit event in one
// Update.
func createWithEvent(t *testing.T, s store.Store, e policy.ListEntry) error {
	ctx := t.Context()
	return s.Update(ctx, func(tx store.Tx) error {
		e, err := tx.PutEntry(ctx, e)
		if err != nil {
			return err
		}
		return tx.RecordEvents(ctx, adminEvent("list.create", e.ID, e))
	})
}

func testFaultCreate(t *testing.T, s store.Store, fail func()) {
	ctx := t.Context()
	fail()
	if err := s.RecordEvents(ctx, adminEvent("probe", "x", nil)); err == nil {
		t.Fatal("RecordEvents succeeded with event writes failing: the fault is not in force")
	}
	before := take(t, s)
	if err := createWithEvent(t, s, allowRequests); err == nil {
		t.Fatal("Update(create) succeeded with the audit write failing, want an error")
	}
	unchanged(t, s, before)
	if len(before.Entries) != 0 {
		t.Errorf("entries before = %+v, want none", before.Entries)
	}
	// Entries themselves can still be written: only the audit write fails.
	if _, err := s.PutEntry(ctx, allowRequests); err != nil {
		t.Errorf("PutEntry outside Update with only event writes failing: %v", err)
	}
}

func testFaultReplace(t *testing.T, s store.Store, fail func()) {
	ctx := t.Context()
	e, err := s.PutEntry(ctx, allowRequests)
	if err != nil {
		t.Fatalf("PutEntry: %v", err)
	}
	fail()
	before := take(t, s)
	err = s.Update(ctx, func(tx store.Tx) error {
		old, err := tx.GetEntry(ctx, e.ID)
		if err != nil {
			return err
		}
		upd := old
		upd.Kind, upd.Reason = policy.Deny, "changed my mind"
		if upd, err = tx.PutEntry(ctx, upd); err != nil {
			return err
		}
		ev := adminEvent("list.update", e.ID, upd)
		ev.Before, _ = json.Marshal(old)
		return tx.RecordEvents(ctx, ev)
	})
	if err == nil {
		t.Fatal("Update(replace) succeeded with the audit write failing, want an error")
	}
	unchanged(t, s, before)
	if got, err := s.GetEntry(ctx, e.ID); err != nil || got.Kind != policy.Allowlist || got.Reason != "vetted" {
		t.Errorf("GetEntry after failed replace = %+v, %v; want the allow entry as it was", got, err)
	}
}

func testFaultDelete(t *testing.T, s store.Store, fail func()) {
	ctx := t.Context()
	e, err := s.PutEntry(ctx, policy.ListEntry{Kind: policy.Deny, Ecosystem: policy.NPM, Pattern: "evil"})
	if err != nil {
		t.Fatalf("PutEntry: %v", err)
	}
	fail()
	before := take(t, s)
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := tx.DeleteEntry(ctx, e.ID); err != nil {
			return err
		}
		return tx.RecordEvents(ctx, adminEvent("list.delete", e.ID, nil))
	})
	if err == nil {
		t.Fatal("Update(delete) succeeded with the audit write failing, want an error")
	}
	unchanged(t, s, before)
	if _, err := s.GetEntry(ctx, e.ID); err != nil {
		t.Errorf("GetEntry after failed delete: %v; want the deny entry still in force", err)
	}
}

func testFaultApprove(t *testing.T, s store.Store, fail func()) {
	ctx := t.Context()
	r, err := s.PutRequest(ctx, store.Request{Ecosystem: policy.PyPI, Name: "requests", Requester: "bob", Justification: "x", Created: base})
	if err != nil {
		t.Fatalf("PutRequest: %v", err)
	}
	fail()
	before := take(t, s)
	err = s.Update(ctx, func(tx store.Tx) error {
		e, err := tx.PutEntry(ctx, allowRequests)
		if err != nil {
			return err
		}
		approved := r
		approved.Status, approved.DecidedBy, approved.DecidedAt, approved.EntryID = store.RequestApproved, "alice", base.Add(time.Hour), e.ID
		if approved, err = tx.PutRequest(ctx, approved); err != nil {
			return err
		}
		return tx.RecordEvents(ctx, adminEvent("list.create", e.ID, e), adminEvent("request.approve", r.ID, approved))
	})
	if err == nil {
		t.Fatal("Update(approve) succeeded with the audit write failing, want an error")
	}
	unchanged(t, s, before)
	if got, err := s.GetRequest(ctx, r.ID); err != nil || got.Status != store.RequestPending {
		t.Errorf("GetRequest after failed approval = %+v, %v; want it still pending", got, err)
	}
}

// forgetWithEvent is the proxy's watchlist clear: the entry removed and
// its audit event in one Update.
func forgetWithEvent(t *testing.T, s store.Store, eco policy.Ecosystem, name string) (store.WatchEntry, error) {
	ctx := t.Context()
	var w store.WatchEntry
	err := s.Update(ctx, func(tx store.Tx) error {
		var err error
		if w, err = tx.ForgetWatched(ctx, eco, name); err != nil {
			return err
		}
		return tx.RecordEvents(ctx, adminEvent("watchlist.clear", string(eco)+":"+name, nil))
	})
	return w, err
}

func testUpdateForgetsWatched(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.RecordMissing(ctx, policy.NPM, "LoDash", base); err != nil {
		t.Fatalf("RecordMissing: %v", err)
	}
	w, err := forgetWithEvent(t, s, policy.NPM, "LoDash")
	if err != nil || w.Name != "LoDash" || w.Count != 1 {
		t.Errorf("Update(Tx.ForgetWatched) = %+v, %v; want the entry with count 1", w, err)
	}
	if _, err := s.Watched(ctx, policy.NPM, "LoDash"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Watched after Update(Tx.ForgetWatched) error = %v, want ErrNotFound", err)
	}
	if evs, _, err := s.Events(ctx, store.EventQuery{Kind: store.KindAdmin}); err != nil || len(evs) != 1 || evs[0].Target != "npm:LoDash" {
		t.Errorf("Events after Update(Tx.ForgetWatched) = %+v, %v; want the watchlist.clear event", evs, err)
	}
	if _, err := forgetWithEvent(t, s, policy.NPM, "LoDash"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second Update(Tx.ForgetWatched) error = %v, want ErrNotFound", err)
	}
}

func testFaultWatchClear(t *testing.T, s store.Store, fail func()) {
	ctx := t.Context()
	if _, err := s.RecordMissing(ctx, policy.PyPI, "hallucinated", base); err != nil {
		t.Fatalf("RecordMissing: %v", err)
	}
	fail()
	before := take(t, s)
	if _, err := forgetWithEvent(t, s, policy.PyPI, "hallucinated"); err == nil {
		t.Fatal("Update(forget watched) succeeded with the audit write failing, want an error")
	}
	unchanged(t, s, before)
	if w, err := s.Watched(ctx, policy.PyPI, "hallucinated"); err != nil || w.Count != 1 {
		t.Errorf("Watched after failed clear = %+v, %v; want the entry still there", w, err)
	}
}

// testUpdateReadsLatest: a Tx read is for a read-modify-write, so it sees
// the last committed state even when another transaction changing the
// same request is open (two replicas deciding one request at once): the
// second reader waits for the first to commit and then sees its decision,
// never the pending request it replaced.
func testUpdateReadsLatest(t *testing.T, s store.Store) {
	ctx := t.Context()
	r, err := s.PutRequest(ctx, store.Request{Ecosystem: policy.PyPI, Name: "fresh", Requester: "bob", Justification: "x", Created: base})
	if err != nil {
		t.Fatalf("PutRequest: %v", err)
	}
	type read struct {
		status string
		err    error
	}
	second := make(chan read, 1)
	err = s.Update(ctx, func(tx store.Tx) error {
		cur, err := tx.GetRequest(ctx, r.ID)
		if err != nil {
			return err
		}
		cur.Status, cur.DecidedBy, cur.DecidedAt = store.RequestApproved, "alice", base.Add(time.Hour)
		if _, err := tx.PutRequest(ctx, cur); err != nil {
			return err
		}
		go func() {
			var got store.Request
			err := s.Update(ctx, func(tx store.Tx) error {
				var err error
				got, err = tx.GetRequest(ctx, r.ID)
				return err
			})
			second <- read{got.Status, err}
		}()
		// Give the second transaction time to read while this one is open.
		select {
		case rd := <-second:
			second <- rd
		case <-time.After(300 * time.Millisecond):
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Update(approve): %v", err)
	}
	rd := <-second
	if rd.err != nil {
		t.Fatalf("second Update: %v", rd.err)
	}
	if rd.status != store.RequestApproved {
		t.Errorf("second transaction read status %q while the first was deciding, want %q (it would decide the request again)", rd.status, store.RequestApproved)
	}
}

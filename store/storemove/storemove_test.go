package storemove_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	bolt "go.etcd.io/bbolt"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
	"github.com/vigil-proxy/vigil-proxy/store/boltstore"
	"github.com/vigil-proxy/vigil-proxy/store/pgstore"
	"github.com/vigil-proxy/vigil-proxy/store/pgstore/pgtest"
	"github.com/vigil-proxy/vigil-proxy/store/storemove"
)

// populate fills s with every kind of record: 1,234 events (decision and
// admin, with findings and before/after documents), entries, requests in
// every state and watchlist entries with and without Appeared.
func populate(t *testing.T, s store.Store) {
	t.Helper()
	ctx := t.Context()
	base := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.FixedZone("CET", 3600))
	var evs []store.Event
	for i := range 1234 {
		ev := store.Event{Time: base.Add(time.Duration(i) * time.Second), Kind: store.KindDecision,
			Ecosystem: policy.NPM, Package: fmt.Sprintf("pkg-%04d", i), Version: "1.0.0", Verdict: "block",
			Rules: []string{"DEP-002", "DEP-004"}, Reason: "too new", Client: "npm/10 node/v20", Route: "tarball",
			Findings: []policy.Finding{{Rule: "DEP-002", Verdict: policy.Block, Reason: "published 1 day ago"}}}
		if i%100 == 0 {
			ev = store.Event{Time: ev.Time, Kind: store.KindAdmin, Actor: "alice", Action: "allow.create",
				Target: "e1", Before: []byte(`{"a": 1}`), After: []byte(`{"pattern":"x"}`)}
		}
		evs = append(evs, ev)
	}
	if err := s.RecordEvents(ctx, evs...); err != nil {
		t.Fatalf("RecordEvents: %v", err)
	}
	for i, e := range []policy.ListEntry{
		{Kind: policy.Allowlist, Ecosystem: policy.PyPI, Pattern: "internal-*", Versions: ">=2", Reason: "ours", Owner: "alice"},
		{Kind: policy.Deny, Ecosystem: policy.NPM, Pattern: "evil", Created: base, Expires: base.Add(time.Hour)},
	} {
		if _, err := s.PutEntry(ctx, e); err != nil {
			t.Fatalf("PutEntry %d: %v", i, err)
		}
	}
	r, err := s.PutRequest(ctx, store.Request{Ecosystem: policy.PyPI, Name: "fresh", Version: "1.0", Requester: "bob", Justification: "ci", Created: base})
	if err != nil {
		t.Fatalf("PutRequest: %v", err)
	}
	r.Status, r.DecidedBy, r.DecidedAt, r.EntryID = store.RequestApproved, "alice", base.Add(time.Hour), "e1"
	if _, err := s.PutRequest(ctx, r); err != nil {
		t.Fatalf("approve: %v", err)
	}
	if _, err := s.PutRequest(ctx, store.Request{Ecosystem: policy.NPM, Name: "other", Requester: "carol"}); err != nil {
		t.Fatalf("PutRequest: %v", err)
	}
	for i := range 3 {
		if _, err := s.RecordMissing(ctx, policy.PyPI, "hallucinated", base.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatalf("RecordMissing: %v", err)
		}
	}
	if _, err := s.RecordMissing(ctx, policy.NPM, "ghost-pkg", base); err != nil {
		t.Fatalf("RecordMissing: %v", err)
	}
	if err := s.MarkAppeared(ctx, policy.NPM, "ghost-pkg", base.Add(time.Hour)); err != nil {
		t.Fatalf("MarkAppeared: %v", err)
	}
}

func allEvents(t *testing.T, s store.Store) []store.Event {
	t.Helper()
	var out []store.Event
	cursor := ""
	for {
		page, next, err := s.Events(t.Context(), store.EventQuery{Limit: 500, Cursor: cursor})
		if err != nil {
			t.Fatalf("Events: %v", err)
		}
		out = append(out, page...)
		if next == "" {
			return out
		}
		cursor = next
	}
}

var timeEqual = cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })

func TestCopyBoltToPostgresRoundTrip(t *testing.T) {
	ctx := t.Context()
	src, err := boltstore.Open(filepath.Join(t.TempDir(), "store.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	populate(t, src)

	c := pgtest.Start(t)
	db := c.NewDatabase(t)
	dst, err := pgstore.Open(ctx, pgstore.Options{URL: c.URL(db), Password: pgtest.Password})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()

	copied := map[string]int{}
	res, err := storemove.Copy(ctx, src, dst, func(table string, n int) { copied[table] = n })
	if err != nil {
		t.Fatalf("Copy: %v", err)
	}
	want := map[string]int{"events": 1234, "entries": 2, "requests": 2, "watchlist": 2}
	if diff := cmp.Diff(want, copied); diff != "" {
		t.Errorf("copied counts (-want +got):\n%s", diff)
	}
	for _, table := range storemove.Tables {
		s, d := res.Source[table], res.Dest[table]
		if s.Count != want[table] || s != d {
			t.Errorf("%s: source %+v, destination %+v; want equal counts (%d) and checksums", table, s, d, want[table])
		}
	}
	if !res.OK() {
		t.Errorf("Result.OK() = false, want true")
	}

	// The records read back equal the source's, IDs included.
	if diff := cmp.Diff(allEvents(t, src), allEvents(t, dst), timeEqual); diff != "" {
		t.Errorf("events differ after the copy (-bolt +postgres):\n%s", diff)
	}
	srcEntries, _ := src.Entries(ctx)
	dstEntries, _ := dst.Entries(ctx)
	if diff := cmp.Diff(srcEntries, dstEntries, timeEqual); diff != "" {
		t.Errorf("entries differ (-bolt +postgres):\n%s", diff)
	}
	srcWatch, _ := src.Watchlist(ctx)
	dstWatch, _ := dst.Watchlist(ctx)
	if diff := cmp.Diff(srcWatch, dstWatch, timeEqual); diff != "" {
		t.Errorf("watchlist differs (-bolt +postgres):\n%s", diff)
	}

	// New events after the move get fresh, unique IDs.
	if err := dst.RecordEvents(ctx, store.Event{Kind: store.KindAdmin, Action: "after.move"}); err != nil {
		t.Fatal(err)
	}
	after := allEvents(t, dst)
	ids := map[string]bool{}
	for _, e := range after {
		if ids[e.ID] {
			t.Errorf("duplicate event ID %s after the move", e.ID)
		}
		ids[e.ID] = true
	}
	if len(after) != 1235 || after[0].Action != "after.move" {
		t.Errorf("after a new event: %d events, newest %q; want 1235 with after.move newest", len(after), after[0].Action)
	}

	// A second copy into the now populated database is refused.
	if _, err := storemove.Copy(ctx, src, dst, nil); !errors.Is(err, store.ErrConflict) {
		t.Errorf("second Copy error = %v, want ErrConflict (destination not empty)", err)
	}

	// The checksum notices a changed record.
	before, err := storemove.Checksums(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, c.URLWithPassword(db))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "UPDATE vigil_watch SET count = count + 1 WHERE name = 'hallucinated'"); err != nil {
		t.Fatal(err)
	}
	changed, err := storemove.Checksums(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	if changed["watchlist"].Checksum == before["watchlist"].Checksum || changed["events"] != before["events"] {
		t.Errorf("checksums after changing one watch count: watchlist %s → %s, events %v → %v; want only the watchlist sum to change",
			before["watchlist"].Checksum, changed["watchlist"].Checksum, before["events"], changed["events"])
	}
}

// TestCopyRefusesDuplicatePendingRequests: a bolt file written by an older
// release may hold two pending requests for one package, which PostgreSQL's
// unique index refuses; the copy is refused before anything is written,
// naming both, and succeeds once one is decided.
func TestCopyRefusesDuplicatePendingRequests(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "store.db")
	src, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	kept, err := src.PutRequest(ctx, store.Request{Ecosystem: policy.PyPI, Name: "fresh", Version: "1.0", Requester: "bob", Justification: "ci"})
	if err != nil {
		t.Fatalf("PutRequest: %v", err)
	}
	src.Close()
	// What an older release could store: a second pending request for the
	// same package and version, written past this release's check.
	dup := kept
	dup.ID, dup.Requester = "0123456789abcdef", "carol"
	raw, err := json.Marshal(dup)
	if err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte("requests")).Put([]byte(dup.ID), raw) }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if src, err = boltstore.Open(path, boltstore.Options{}); err != nil {
		t.Fatal(err)
	}
	defer src.Close()

	c := pgtest.Start(t)
	dst, err := pgstore.Open(ctx, pgstore.Options{URL: c.URL(c.NewDatabase(t)), Password: pgtest.Password})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	_, err = storemove.Copy(ctx, src, dst, nil)
	if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), kept.ID) || !strings.Contains(err.Error(), dup.ID) {
		t.Fatalf("Copy with duplicate pending requests error = %v, want ErrConflict naming %s and %s", err, kept.ID, dup.ID)
	}
	if empty, err := dst.Empty(ctx); err != nil || !empty {
		t.Fatalf("destination after the refused copy: empty = %v, %v; want empty", empty, err)
	}
	dup.Status, dup.DecidedBy, dup.DecidedAt = store.RequestDenied, "alice", time.Now()
	if _, err := src.PutRequest(ctx, dup); err != nil {
		t.Fatalf("deny the duplicate: %v", err)
	}
	res, err := storemove.Copy(ctx, src, dst, nil)
	if err != nil || !res.OK() || res.Dest["requests"].Count != 2 {
		t.Fatalf("Copy after deciding the duplicate = %+v, %v; want both requests copied and verified", res.Dest, err)
	}
}

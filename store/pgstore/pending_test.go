package pgstore_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
	"github.com/vigil-proxy/vigil-proxy/store/pgstore"
	"github.com/vigil-proxy/vigil-proxy/store/pgstore/pgtest"
)

// TestMigrationClosesDuplicatePendingRequests: a database written by a
// release that could store two pending requests for one package migrates;
// the oldest of each set stays pending, the others are denied with a note
// and an audit event, and afterwards even an older replica's plain insert
// cannot add a duplicate.
func TestMigrationClosesDuplicatePendingRequests(t *testing.T) {
	c := cluster
	db := c.NewDatabase(t)
	opts := pgstore.Options{URL: c.URL(db), Password: pgtest.Password}
	old, err := pgstore.OpenAtSchemaForTest(t.Context(), opts, 3)
	if err != nil {
		t.Fatalf("open at schema 3: %v", err)
	}
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	req := func(id string, eco policy.Ecosystem, name, version, status string, created time.Duration) store.Request {
		r := store.Request{ID: id, Ecosystem: eco, Name: name, Version: version, Requester: "dev", Justification: "for " + id,
			Status: status, Created: t0.Add(created)}
		if status != store.RequestPending {
			r.DecidedBy, r.DecidedAt = "carol", t0.Add(time.Hour)
		}
		return r
	}
	seeded := []store.Request{
		req("c0000000000000003", policy.PyPI, "reqeusts", "1.0.0", store.RequestPending, 3*time.Minute),
		req("a0000000000000001", policy.PyPI, "reqeusts", "1.0.0", store.RequestPending, time.Minute),
		req("b0000000000000002", policy.PyPI, "reqeusts", "1.0.0", store.RequestPending, 2*time.Minute),
		req("d0000000000000004", policy.PyPI, "reqeusts", "2.0.0", store.RequestPending, time.Minute),
		req("e0000000000000005", policy.PyPI, "reqeusts", "1.0.0", store.RequestApproved, 0),
		req("f0000000000000006", policy.NPM, "lodahs", "", store.RequestPending, time.Minute),
		req("g0000000000000007", policy.NPM, "lodahs", "", store.RequestPending, time.Minute),
	}
	// ImportRequests writes as an older release's PutRequest did: a plain
	// insert with no duplicate check of its own.
	if err := old.ImportRequests(t.Context(), seeded); err != nil {
		t.Fatalf("seed requests at schema 3: %v", err)
	}
	old.Close()

	s := openOn(t, c, db, pgstore.Options{})
	status := map[string]string{}
	all, err := s.Requests(t.Context(), "")
	if err != nil {
		t.Fatalf("Requests: %v", err)
	}
	byID := map[string]store.Request{}
	for _, r := range all {
		status[r.ID] = r.Status
		byID[r.ID] = r
	}
	want := map[string]string{
		"a0000000000000001": store.RequestPending, // the oldest of three
		"b0000000000000002": store.RequestDenied,
		"c0000000000000003": store.RequestDenied,
		"d0000000000000004": store.RequestPending, // another version
		"e0000000000000005": store.RequestApproved,
		"f0000000000000006": store.RequestPending, // same time: the smaller ID stays
		"g0000000000000007": store.RequestDenied,
	}
	if diff := cmp.Diff(want, status); diff != "" {
		t.Fatalf("request statuses after the migration (-want +got):\n%s", diff)
	}
	for id, kept := range map[string]string{"b0000000000000002": "a0000000000000001", "c0000000000000003": "a0000000000000001", "g0000000000000007": "f0000000000000006"} {
		r := byID[id]
		if !strings.Contains(r.DecisionNote, "duplicate of pending request "+kept) || r.DecidedBy == "" || r.DecidedAt.IsZero() {
			t.Errorf("closed duplicate %s = note %q by %q at %v, want a note naming %s, a decider and a time", id, r.DecisionNote, r.DecidedBy, r.DecidedAt, kept)
		}
		if r.Justification != "for "+id {
			t.Errorf("closed duplicate %s lost its justification: %q", id, r.Justification)
		}
	}
	evs, _, err := s.Events(t.Context(), store.EventQuery{Kind: store.KindAdmin})
	if err != nil {
		t.Fatalf("Events: %v", err)
	}
	var denied []string
	for _, ev := range evs {
		if ev.Action == "request.deny" && len(ev.Before) > 0 && len(ev.After) > 0 {
			denied = append(denied, ev.Target)
		}
	}
	if diff := cmp.Diff([]string{"b0000000000000002", "c0000000000000003", "g0000000000000007"}, denied, cmp.Transformer("sort", sorted)); diff != "" {
		t.Errorf("request.deny audit events of the migration (-want +got):\n%s", diff)
	}

	// A replica still on the older release inserts without checking: the
	// index refuses the duplicate (its caller sees a failed write, nothing
	// stored).
	dup := req("h0000000000000008", policy.PyPI, "reqeusts", "1.0.0", store.RequestPending, time.Hour)
	if err := s.ImportRequests(t.Context(), []store.Request{dup}); err == nil {
		t.Errorf("a plain insert of a duplicate pending request after the migration succeeded")
	}
	if _, err := s.GetRequest(t.Context(), dup.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetRequest(refused duplicate) error = %v, want ErrNotFound", err)
	}
	// This release's creation names the request already pending.
	got, err := s.PutRequest(t.Context(), store.Request{Ecosystem: policy.PyPI, Name: "reqeusts", Version: "1.0.0", Requester: "dev", Justification: "again"})
	if !errors.Is(err, store.ErrAlreadyPending) || got.ID != "a0000000000000001" {
		t.Errorf("PutRequest(duplicate) = %s, %v; want a0000000000000001, ErrAlreadyPending", got.ID, err)
	}
}

func sorted(ss []string) []string {
	return slices.Sorted(slices.Values(ss))
}

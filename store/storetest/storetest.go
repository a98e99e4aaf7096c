// Package storetest is the compliance suite every store.Store implementation
// must pass: call Run from the implementation's tests.
package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// Run runs the compliance suite. open must return a new, empty store for
// each call; Run closes it at the end of each subtest.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"EventRoundTrip", testEventRoundTrip},
		{"EventPagination", testEventPagination},
		{"EventFilters", testEventFilters},
		{"EventLimits", testEventLimits},
		{"EventInvalidCursor", testEventInvalidCursor},
		{"PruneEvents", testPruneEvents},
		{"EntryCRUD", testEntryCRUD},
		{"EntryInvalid", testEntryInvalid},
		{"RequestLifecycle", testRequestLifecycle},
		{"Watchlist", testWatchlist},
		{"ConcurrentEntries", testConcurrentEntries},
		{"UpdateCommitsTogether", testUpdateCommitsTogether},
		{"UpdateRollsBack", testUpdateRollsBack},
		{"UpdateUnwritableEventRollsBack", testUpdateUnwritableEvent},
		{"UpdateConflict", testUpdateConflict},
		{"UpdateForgetsWatched", testUpdateForgetsWatched},
		{"UpdateReadsLatest", testUpdateReadsLatest},
		{"OnePendingRequest", testOnePendingRequest},
		{"UpdateOnePendingRequest", testUpdateOnePendingRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.fn(t, s)
		})
	}
}

// base is a fixed reference time for the suite.
var base = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// timeEqual compares times by instant, ignoring location and monotonic data.
var timeEqual = cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })

func testEventRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	ev := store.Event{
		Time:      base,
		Kind:      store.KindDecision,
		Ecosystem: policy.PyPI,
		Package:   "requests",
		Version:   "2.31.0",
		File:      "requests-2.31.0-py3-none-any.whl",
		Verdict:   "block",
		Rules:     []string{"DEP-002"},
		Reason:    "too new",
		Findings:  []policy.Finding{{Rule: "DEP-002", Verdict: policy.Block, Reason: "published 1 day ago"}},
		Client:    "pip/24.0",
		Route:     "file",
	}
	admin := store.Event{
		Time:   base.Add(time.Second),
		Kind:   store.KindAdmin,
		Actor:  "alice",
		Action: "allow.create",
		Target: "abc",
		After:  []byte(`{"pattern":"requests"}`),
	}
	if err := s.RecordEvents(ctx, ev, admin); err != nil {
		t.Fatalf("RecordEvents: %v", err)
	}
	if err := s.RecordEvents(ctx); err != nil {
		t.Fatalf("RecordEvents(no events): %v", err)
	}
	got, next, err := s.Events(ctx, store.EventQuery{})
	if err != nil {
		t.Fatalf("Events: %v", err)
	}
	if next != "" {
		t.Errorf("Events next = %q, want empty", next)
	}
	if len(got) != 2 {
		t.Fatalf("Events returned %d events, want 2", len(got))
	}
	for _, e := range got {
		if e.ID == "" {
			t.Errorf("event %+v has no ID", e)
		}
	}
	if got[0].ID <= got[1].ID {
		t.Errorf("IDs not ordered like time: newest %q, older %q", got[0].ID, got[1].ID)
	}
	want := []store.Event{admin, ev}
	if diff := cmp.Diff(want, got, timeEqual, cmpopts.IgnoreFields(store.Event{}, "ID")); diff != "" {
		t.Errorf("Events mismatch (-want +got):\n%s", diff)
	}

	// A zero Time is set by the store.
	before := time.Now()
	if err := s.RecordEvents(ctx, store.Event{Kind: store.KindAdmin, Action: "x"}); err != nil {
		t.Fatalf("RecordEvents: %v", err)
	}
	got, _, err = s.Events(ctx, store.EventQuery{Kind: store.KindAdmin, Since: before.Add(-time.Hour)})
	if err != nil {
		t.Fatalf("Events: %v", err)
	}
	if len(got) != 1 || got[0].Time.IsZero() || got[0].Action != "x" {
		t.Errorf("event recorded without time = %+v, want one event with Time set", got)
	}
}

// recordSeries records n decision events one second apart starting at base
// and returns them in recording order.
func recordSeries(t *testing.T, s store.Store, n int) {
	t.Helper()
	evs := make([]store.Event, n)
	for i := range evs {
		evs[i] = store.Event{
			Time:      base.Add(time.Duration(i) * time.Second),
			Kind:      store.KindDecision,
			Ecosystem: policy.NPM,
			Package:   fmt.Sprintf("pkg-%03d", i),
			Verdict:   "allow",
		}
	}
	if err := s.RecordEvents(t.Context(), evs...); err != nil {
		t.Fatalf("RecordEvents: %v", err)
	}
}

func testEventPagination(t *testing.T, s store.Store) {
	const n = 120
	recordSeries(t, s, n)
	var (
		all    []store.Event
		cursor string
		pages  int
	)
	for {
		page, next, err := s.Events(t.Context(), store.EventQuery{Limit: 25, Cursor: cursor})
		if err != nil {
			t.Fatalf("Events(cursor %q): %v", cursor, err)
		}
		if len(page) > 25 {
			t.Fatalf("page %d has %d events, want at most 25", pages, len(page))
		}
		all = append(all, page...)
		pages++
		if next == "" {
			break
		}
		if pages > n {
			t.Fatalf("pagination did not terminate")
		}
		cursor = next
	}
	if pages != 5 {
		t.Errorf("walked %d pages, want 5", pages)
	}
	if len(all) != n {
		t.Fatalf("walked %d events, want %d", len(all), n)
	}
	seen := map[string]bool{}
	for i, e := range all {
		if seen[e.ID] {
			t.Errorf("duplicate event %s", e.ID)
		}
		seen[e.ID] = true
		want := fmt.Sprintf("pkg-%03d", n-1-i)
		if e.Package != want {
			t.Errorf("event %d is %s, want %s (newest first, no gaps)", i, e.Package, want)
		}
	}
}

func testEventFilters(t *testing.T, s store.Store) {
	ctx := t.Context()
	evs := []store.Event{
		{Time: base, Kind: store.KindDecision, Ecosystem: policy.PyPI, Package: "reqeusts", Verdict: "block", Rules: []string{"DEP-003", "DEP-004"}, Client: "pip/24.0 CPython"},
		{Time: base.Add(1 * time.Minute), Kind: store.KindDecision, Ecosystem: policy.NPM, Package: "left-pad", Verdict: "allow", Client: "npm/10.2.0 node/v20"},
		{Time: base.Add(2 * time.Minute), Kind: store.KindDecision, Ecosystem: policy.NPM, Package: "evil", Verdict: "block", Rules: []string{"MAL-001"}, Client: "pnpm/9.0.0 npm/? node/v22"},
		{Time: base.Add(3 * time.Minute), Kind: store.KindDecision, Ecosystem: policy.PyPI, Package: "fresh", Verdict: "warn", Rules: []string{"DEP-002"}, Client: "pip/23.1"},
		{Time: base.Add(4 * time.Minute), Kind: store.KindAdmin, Actor: "alice", Action: "allow.create"},
	}
	if err := s.RecordEvents(ctx, evs...); err != nil {
		t.Fatalf("RecordEvents: %v", err)
	}
	tests := []struct {
		name string
		q    store.EventQuery
		want []string // Package (or Action for admin events), newest first
	}{
		{"all", store.EventQuery{}, []string{"allow.create", "fresh", "evil", "left-pad", "reqeusts"}},
		{"kind admin", store.EventQuery{Kind: store.KindAdmin}, []string{"allow.create"}},
		{"kind decision", store.EventQuery{Kind: store.KindDecision}, []string{"fresh", "evil", "left-pad", "reqeusts"}},
		{"ecosystem", store.EventQuery{Ecosystem: policy.NPM}, []string{"evil", "left-pad"}},
		{"package", store.EventQuery{Package: "left-pad"}, []string{"left-pad"}},
		{"package exact only", store.EventQuery{Package: "left"}, nil},
		{"rule second of two", store.EventQuery{Rule: "DEP-004"}, []string{"reqeusts"}},
		{"rule", store.EventQuery{Rule: "MAL-001"}, []string{"evil"}},
		{"verdict", store.EventQuery{Verdict: "block"}, []string{"evil", "reqeusts"}},
		{"client substring", store.EventQuery{Client: "node/"}, []string{"evil", "left-pad"}},
		{"client pip", store.EventQuery{Client: "pip/"}, []string{"fresh", "reqeusts"}},
		{"since inclusive", store.EventQuery{Since: base.Add(3 * time.Minute)}, []string{"allow.create", "fresh"}},
		{"until exclusive", store.EventQuery{Until: base.Add(2 * time.Minute)}, []string{"left-pad", "reqeusts"}},
		{"since and until", store.EventQuery{Since: base.Add(time.Minute), Until: base.Add(3 * time.Minute)}, []string{"evil", "left-pad"}},
		{"combined", store.EventQuery{Ecosystem: policy.PyPI, Verdict: "block", Rule: "DEP-003"}, []string{"reqeusts"}},
		{"no match", store.EventQuery{Ecosystem: policy.PyPI, Verdict: "allow"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, next, err := s.Events(ctx, tc.q)
			if err != nil {
				t.Fatalf("Events(%+v): %v", tc.q, err)
			}
			if next != "" {
				t.Errorf("Events(%+v) next = %q, want empty", tc.q, next)
			}
			var names []string
			for _, e := range got {
				names = append(names, e.Package+e.Action)
			}
			if diff := cmp.Diff(tc.want, names); diff != "" {
				t.Errorf("Events(%+v) mismatch (-want +got):\n%s", tc.q, diff)
			}
		})
	}

	// Filters combine with pagination.
	q := store.EventQuery{Kind: store.KindDecision, Limit: 3}
	page1, next, err := s.Events(ctx, q)
	if err != nil || len(page1) != 3 || next == "" {
		t.Fatalf("Events(%+v) = %d events, next %q, err %v; want 3 events and a cursor", q, len(page1), next, err)
	}
	q.Cursor = next
	page2, next, err := s.Events(ctx, q)
	if err != nil || len(page2) != 1 || next != "" || page2[0].Package != "reqeusts" {
		t.Fatalf("second page = %+v, next %q, err %v; want only reqeusts and no cursor", page2, next, err)
	}
}

func testEventLimits(t *testing.T, s store.Store) {
	recordSeries(t, s, 520)
	tests := []struct {
		limit, want int
	}{
		{0, 50},
		{7, 7},
		{500, 500},
		{10_000, 500},
	}
	for _, tc := range tests {
		got, next, err := s.Events(t.Context(), store.EventQuery{Limit: tc.limit})
		if err != nil {
			t.Fatalf("Events(Limit %d): %v", tc.limit, err)
		}
		if len(got) != tc.want || next == "" {
			t.Errorf("Events(Limit %d) = %d events, next %q; want %d and a cursor", tc.limit, len(got), next, tc.want)
		}
	}
}

func testEventInvalidCursor(t *testing.T, s store.Store) {
	recordSeries(t, s, 3)
	for _, cur := range []string{"nope", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "0123", "\x00\xff"} {
		_, _, err := s.Events(t.Context(), store.EventQuery{Cursor: cur})
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Events(Cursor %q) error = %v, want ErrInvalid", cur, err)
		}
	}
}

func testPruneEvents(t *testing.T, s store.Store) {
	ctx := t.Context()
	recordSeries(t, s, 100)
	n, err := s.PruneEvents(ctx, base.Add(40*time.Second))
	if err != nil {
		t.Fatalf("PruneEvents: %v", err)
	}
	if n != 40 {
		t.Errorf("PruneEvents deleted %d, want 40", n)
	}
	got, _, err := s.Events(ctx, store.EventQuery{Limit: 500})
	if err != nil {
		t.Fatalf("Events: %v", err)
	}
	if len(got) != 60 {
		t.Fatalf("after prune %d events remain, want 60", len(got))
	}
	if oldest := got[len(got)-1]; oldest.Package != "pkg-040" {
		t.Errorf("oldest remaining event = %s, want pkg-040", oldest.Package)
	}
	n, err = s.PruneEvents(ctx, base.Add(40*time.Second))
	if err != nil || n != 0 {
		t.Errorf("second PruneEvents = %d, %v; want 0, nil", n, err)
	}
	n, err = s.PruneEvents(ctx, base.Add(time.Hour))
	if err != nil || n != 60 {
		t.Errorf("PruneEvents(all) = %d, %v; want 60, nil", n, err)
	}
	got, next, err := s.Events(ctx, store.EventQuery{})
	if err != nil || len(got) != 0 || next != "" {
		t.Errorf("Events after full prune = %d events, next %q, err %v; want none", len(got), next, err)
	}
}

func testEntryCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	in := policy.ListEntry{
		Kind:      policy.Allowlist,
		Ecosystem: policy.PyPI,
		Pattern:   "internal-*",
		Versions:  ">=2,<3",
		Reason:    "our packages",
		Owner:     "alice",
		Expires:   time.Now().Add(30 * 24 * time.Hour).Truncate(time.Second),
	}
	created, err := s.PutEntry(ctx, in)
	if err != nil {
		t.Fatalf("PutEntry: %v", err)
	}
	if created.ID == "" || created.Created.IsZero() {
		t.Fatalf("PutEntry = %+v, want ID and Created set", created)
	}
	got, err := s.GetEntry(ctx, created.ID)
	if err != nil {
		t.Fatalf("GetEntry: %v", err)
	}
	if diff := cmp.Diff(created, got, timeEqual); diff != "" {
		t.Errorf("GetEntry mismatch (-put +got):\n%s", diff)
	}
	if !got.Expires.Equal(in.Expires) || got.Versions != in.Versions || got.Owner != in.Owner {
		t.Errorf("GetEntry = %+v, want expiry, versions and owner kept from %+v", got, in)
	}

	// A second, expired deny entry: Entries returns expired ones too.
	deny, err := s.PutEntry(ctx, policy.ListEntry{
		Kind: policy.Deny, Ecosystem: policy.NPM, Pattern: "evil", Created: base, Expires: base.Add(time.Hour),
	})
	if err != nil {
		t.Fatalf("PutEntry(deny): %v", err)
	}
	if !deny.Created.Equal(base) {
		t.Errorf("PutEntry kept Created %v, want %v", deny.Created, base)
	}
	all, err := s.Entries(ctx)
	if err != nil {
		t.Fatalf("Entries: %v", err)
	}
	if len(all) != 2 {
		t.Fatalf("Entries returned %d, want 2", len(all))
	}

	// Replace keeps the ID and Created.
	upd := created
	upd.Reason = "renamed"
	upd.Created = time.Time{}
	upd.Expires = time.Time{}
	replaced, err := s.PutEntry(ctx, upd)
	if err != nil {
		t.Fatalf("PutEntry(replace): %v", err)
	}
	if replaced.ID != created.ID || !replaced.Created.Equal(created.Created) || replaced.Reason != "renamed" || !replaced.Expires.IsZero() {
		t.Errorf("replace = %+v, want same ID and Created, new reason, no expiry", replaced)
	}
	got, err = s.GetEntry(ctx, created.ID)
	if err != nil || got.Reason != "renamed" {
		t.Errorf("GetEntry after replace = %+v, %v; want reason renamed", got, err)
	}

	// Replacing an unknown ID, getting and deleting missing IDs.
	ghost := created
	ghost.ID = "doesnotexist"
	if _, err := s.PutEntry(ctx, ghost); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutEntry(unknown ID) error = %v, want ErrNotFound", err)
	}
	if err := s.DeleteEntry(ctx, created.ID); err != nil {
		t.Fatalf("DeleteEntry: %v", err)
	}
	if _, err := s.GetEntry(ctx, created.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetEntry(deleted) error = %v, want ErrNotFound", err)
	}
	if err := s.DeleteEntry(ctx, created.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteEntry(deleted) error = %v, want ErrNotFound", err)
	}
	all, err = s.Entries(ctx)
	if err != nil || len(all) != 1 || all[0].ID != deny.ID {
		t.Errorf("Entries after delete = %+v, %v; want only the deny entry", all, err)
	}
}

func testEntryInvalid(t *testing.T, s store.Store) {
	valid := policy.ListEntry{Kind: policy.Allowlist, Ecosystem: policy.PyPI, Pattern: "requests"}
	tests := []struct {
		name  string
		entry func(e policy.ListEntry) policy.ListEntry
	}{
		{"empty kind", func(e policy.ListEntry) policy.ListEntry { e.Kind = ""; return e }},
		{"unknown kind", func(e policy.ListEntry) policy.ListEntry { e.Kind = "maybe"; return e }},
		{"unknown ecosystem", func(e policy.ListEntry) policy.ListEntry { e.Ecosystem = "cargo"; return e }},
		{"empty pattern", func(e policy.ListEntry) policy.ListEntry { e.Pattern = ""; return e }},
		{"expires before created", func(e policy.ListEntry) policy.ListEntry {
			e.Created = base
			e.Expires = base.Add(-time.Hour)
			return e
		}},
	}
	for _, tc := range tests {
		if _, err := s.PutEntry(t.Context(), tc.entry(valid)); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("PutEntry(%s) error = %v, want ErrInvalid", tc.name, err)
		}
	}
	all, err := s.Entries(t.Context())
	if err != nil || len(all) != 0 {
		t.Errorf("Entries after invalid puts = %+v, %v; want none", all, err)
	}
}

func testRequestLifecycle(t *testing.T, s store.Store) {
	ctx := t.Context()
	r1, err := s.PutRequest(ctx, store.Request{
		Ecosystem: policy.PyPI, Name: "fresh", Version: "1.0", EventID: "ev1",
		Requester: "bob", Justification: "needed for build", Created: base,
	})
	if err != nil {
		t.Fatalf("PutRequest: %v", err)
	}
	if r1.ID == "" || r1.Status != store.RequestPending {
		t.Fatalf("PutRequest = %+v, want ID and pending status", r1)
	}
	r2, err := s.PutRequest(ctx, store.Request{
		Ecosystem: policy.NPM, Name: "other", Requester: "carol", Justification: "x", Created: base.Add(time.Hour),
	})
	if err != nil {
		t.Fatalf("PutRequest: %v", err)
	}
	got, err := s.GetRequest(ctx, r1.ID)
	if err != nil {
		t.Fatalf("GetRequest: %v", err)
	}
	if diff := cmp.Diff(r1, got, timeEqual); diff != "" {
		t.Errorf("GetRequest mismatch (-put +got):\n%s", diff)
	}
	if _, err := s.GetRequest(ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetRequest(missing) error = %v, want ErrNotFound", err)
	}

	ids := func(rs []store.Request) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	pending, err := s.Requests(ctx, store.RequestPending)
	if err != nil {
		t.Fatalf("Requests: %v", err)
	}
	if diff := cmp.Diff([]string{r2.ID, r1.ID}, ids(pending)); diff != "" {
		t.Errorf("Requests(pending) newest first mismatch (-want +got):\n%s", diff)
	}

	// Approve r1.
	r1.Status = store.RequestApproved
	r1.DecidedBy = "alice"
	r1.DecidedAt = base.Add(2 * time.Hour)
	r1.DecisionNote = "ok"
	r1.EntryID = "entry1"
	approved, err := s.PutRequest(ctx, r1)
	if err != nil {
		t.Fatalf("PutRequest(approve): %v", err)
	}
	got, err = s.GetRequest(ctx, r1.ID)
	if err != nil {
		t.Fatalf("GetRequest: %v", err)
	}
	if diff := cmp.Diff(approved, got, timeEqual); diff != "" {
		t.Errorf("approved request mismatch (-put +got):\n%s", diff)
	}
	// A decided request cannot be decided again.
	again := got
	again.Status = store.RequestDenied
	if _, err := s.PutRequest(ctx, again); !errors.Is(err, store.ErrConflict) {
		t.Errorf("PutRequest(deny approved) error = %v, want ErrConflict", err)
	}
	ghost := got
	ghost.ID = "missing"
	if _, err := s.PutRequest(ctx, ghost); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutRequest(unknown ID) error = %v, want ErrNotFound", err)
	}
	if _, err := s.PutRequest(ctx, store.Request{Ecosystem: "cargo", Name: "x"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("PutRequest(bad ecosystem) error = %v, want ErrInvalid", err)
	}

	for _, tc := range []struct {
		status string
		want   []string
	}{
		{store.RequestPending, []string{r2.ID}},
		{store.RequestApproved, []string{r1.ID}},
		{store.RequestDenied, nil},
		{"", []string{r2.ID, r1.ID}},
	} {
		rs, err := s.Requests(ctx, tc.status)
		if err != nil {
			t.Fatalf("Requests(%q): %v", tc.status, err)
		}
		if diff := cmp.Diff(tc.want, ids(rs)); diff != "" {
			t.Errorf("Requests(%q) mismatch (-want +got):\n%s", tc.status, diff)
		}
	}
}

func testWatchlist(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.Watched(ctx, policy.PyPI, "hallucinated"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Watched(unknown) error = %v, want ErrNotFound", err)
	}
	if err := s.MarkAppeared(ctx, policy.PyPI, "hallucinated", base); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MarkAppeared(unknown) error = %v, want ErrNotFound", err)
	}
	for i := range 3 {
		w, err := s.RecordMissing(ctx, policy.PyPI, "hallucinated", base.Add(time.Duration(i)*time.Hour))
		if err != nil {
			t.Fatalf("RecordMissing: %v", err)
		}
		if w.Count != i+1 {
			t.Errorf("RecordMissing #%d Count = %d, want %d", i+1, w.Count, i+1)
		}
	}
	// Same name, other ecosystem: a separate entry.
	if _, err := s.RecordMissing(ctx, policy.NPM, "hallucinated", base.Add(time.Minute)); err != nil {
		t.Fatalf("RecordMissing(npm): %v", err)
	}
	want := store.WatchEntry{Ecosystem: policy.PyPI, Name: "hallucinated", FirstSeen: base, LastSeen: base.Add(2 * time.Hour), Count: 3}
	got, err := s.Watched(ctx, policy.PyPI, "hallucinated")
	if err != nil {
		t.Fatalf("Watched: %v", err)
	}
	if diff := cmp.Diff(want, got, timeEqual); diff != "" {
		t.Errorf("Watched mismatch (-want +got):\n%s", diff)
	}

	if err := s.MarkAppeared(ctx, policy.PyPI, "hallucinated", base.Add(3*time.Hour)); err != nil {
		t.Fatalf("MarkAppeared: %v", err)
	}
	if err := s.MarkAppeared(ctx, policy.PyPI, "hallucinated", base.Add(5*time.Hour)); err != nil {
		t.Fatalf("MarkAppeared again: %v", err)
	}
	got, err = s.Watched(ctx, policy.PyPI, "hallucinated")
	if err != nil || !got.Appeared.Equal(base.Add(3*time.Hour)) {
		t.Errorf("Watched after MarkAppeared = %+v, %v; want Appeared kept at the first call", got, err)
	}

	list, err := s.Watchlist(ctx)
	if err != nil {
		t.Fatalf("Watchlist: %v", err)
	}
	var keys []string
	for _, w := range list {
		keys = append(keys, fmt.Sprintf("%s:%s:%d", w.Ecosystem, w.Name, w.Count))
	}
	if diff := cmp.Diff([]string{"pypi:hallucinated:3", "npm:hallucinated:1"}, keys); diff != "" {
		t.Errorf("Watchlist (most recently seen first) mismatch (-want +got):\n%s", diff)
	}

	// Names are exact: npm names are case-sensitive.
	if _, err := s.RecordMissing(ctx, policy.NPM, "LoDash", base); err != nil {
		t.Fatalf("RecordMissing(LoDash): %v", err)
	}
	if _, err := s.Watched(ctx, policy.NPM, "lodash"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Watched(lodash) after RecordMissing(LoDash) error = %v, want ErrNotFound", err)
	}
	forgotten, err := s.ForgetWatched(ctx, policy.NPM, "LoDash")
	if err != nil || forgotten.Name != "LoDash" || forgotten.Count != 1 {
		t.Errorf("ForgetWatched(LoDash) = %+v, %v; want the entry with count 1", forgotten, err)
	}
	if _, err := s.Watched(ctx, policy.NPM, "LoDash"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Watched(LoDash) after ForgetWatched error = %v, want ErrNotFound", err)
	}
	if _, err := s.ForgetWatched(ctx, policy.NPM, "LoDash"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ForgetWatched twice error = %v, want ErrNotFound", err)
	}
}

func testConcurrentEntries(t *testing.T, s store.Store) {
	ctx := t.Context()
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		wg.Go(func() {
			_, err := s.PutEntry(ctx, policy.ListEntry{
				Kind: policy.Allowlist, Ecosystem: policy.NPM, Pattern: fmt.Sprintf("pkg-%02d", i),
			})
			if err != nil {
				errs <- fmt.Errorf("put entry %d: %w", i, err)
			}
		})
		wg.Go(func() {
			if _, err := s.Entries(ctx); err != nil {
				errs <- fmt.Errorf("entries: %w", err)
			}
			if err := s.RecordEvents(ctx, store.Event{Kind: store.KindAdmin, Action: "allow.create"}); err != nil {
				errs <- fmt.Errorf("record events: %w", err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	all, err := s.Entries(ctx)
	if err != nil {
		t.Fatalf("Entries: %v", err)
	}
	patterns := map[string]bool{}
	ids := map[string]bool{}
	for _, e := range all {
		patterns[e.Pattern] = true
		ids[e.ID] = true
	}
	for i := range n {
		if p := fmt.Sprintf("pkg-%02d", i); !patterns[p] {
			t.Errorf("entry %s lost after concurrent writes", p)
		}
	}
	if len(all) != n || len(ids) != n {
		t.Errorf("Entries = %d entries with %d distinct IDs, want %d", len(all), len(ids), n)
	}
	evs, _, err := s.Events(ctx, store.EventQuery{Limit: 500})
	if err != nil || len(evs) != n {
		t.Errorf("Events after concurrent writes = %d, %v; want %d", len(evs), err, n)
	}
}

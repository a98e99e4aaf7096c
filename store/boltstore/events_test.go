package boltstore_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/store"
	"github.com/vigil-proxy/vigil-proxy/store/boltstore"
)

func openTemp(t testing.TB) *boltstore.Store {
	t.Helper()
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "vigil.db"), boltstore.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestEventsScanBound checks that a filtered query stops after the scan
// bound with a cursor, and that following cursors finds every match once.
func TestEventsScanBound(t *testing.T) {
	s := openTemp(t)
	s.SetScanLimitForTest(10)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var evs []store.Event
	for i := range 35 {
		verdict := "allow"
		if i%17 == 0 { // 0, 17, 34
			verdict = "block"
		}
		evs = append(evs, store.Event{Time: base.Add(time.Duration(i) * time.Second), Kind: store.KindDecision, Package: fmt.Sprint(i), Verdict: verdict})
	}
	if err := s.RecordEvents(t.Context(), evs...); err != nil {
		t.Fatal(err)
	}
	q := store.EventQuery{Verdict: "block", Limit: 2}
	var got []string
	calls := 0
	for {
		page, next, err := s.Events(t.Context(), q)
		if err != nil {
			t.Fatalf("Events: %v", err)
		}
		calls++
		for _, e := range page {
			got = append(got, e.Package)
		}
		if next == "" {
			break
		}
		if calls > 20 {
			t.Fatal("cursor walk did not terminate")
		}
		q.Cursor = next
	}
	if diff := cmp.Diff([]string{"34", "17", "0"}, got); diff != "" {
		t.Errorf("matches across bounded scans (-want +got):\n%s", diff)
	}
	if calls < 4 {
		t.Errorf("walk took %d calls, want at least 4 with a scan bound of 10 over 35 events", calls)
	}
}

func TestEventsTimesBeforeEpochOrder(t *testing.T) {
	s := openTemp(t)
	times := []time.Time{
		time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC),
		time.Date(1970, 1, 2, 0, 0, 0, 0, time.UTC),
		time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for _, tm := range times {
		if err := s.RecordEvents(t.Context(), store.Event{Time: tm, Kind: store.KindAdmin, Action: tm.Format("2006")}); err != nil {
			t.Fatal(err)
		}
	}
	evs, _, err := s.Events(t.Context(), store.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		got = append(got, e.Action)
	}
	if diff := cmp.Diff([]string{"2030", "1970", "1969"}, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

func FuzzEventsCursor(f *testing.F) {
	f.Add("")
	f.Add("00000000000000000000000000000000")
	f.Add("ffffffffffffffffffffffffffffffff")
	f.Add("zz")
	f.Add("80000000000000000000000000000001")
	s := openTemp(f)
	if err := s.RecordEvents(f.Context(), store.Event{Kind: store.KindAdmin}, store.Event{Kind: store.KindDecision}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, cursor string) {
		evs, _, err := s.Events(t.Context(), store.EventQuery{Cursor: cursor, Limit: 1})
		if err != nil && !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Events(Cursor %q) error = %v, want nil or ErrInvalid", cursor, err)
		}
		if len(evs) > 1 {
			t.Errorf("Events(Limit 1) returned %d events", len(evs))
		}
	})
}

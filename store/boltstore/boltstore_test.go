package boltstore_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	mathrand "math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
	"github.com/vigil-proxy/vigil-proxy/store/boltstore"
	"github.com/vigil-proxy/vigil-proxy/store/storetest"
)

func TestCompliance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := boltstore.Open(filepath.Join(t.TempDir(), "vigil.db"), boltstore.Options{})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}

func TestComplianceFaults(t *testing.T) {
	storetest.RunFaults(t, storetest.Faults{
		Open: func(t *testing.T) store.Store {
			s, err := boltstore.Open(filepath.Join(t.TempDir(), "vigil.db"), boltstore.Options{})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			return s
		},
		FailEventWrites: func(t *testing.T, s store.Store) {
			s.(*boltstore.Store).FailEventWritesForTest(fmt.Errorf("write vigil.db: %w", syscall.ENOSPC))
		},
	})
}

func TestReopenKeepsData(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "vigil.db")
	s, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	e, err := s.PutEntry(ctx, policy.ListEntry{Kind: policy.Deny, Ecosystem: policy.NPM, Pattern: "evil"})
	if err != nil {
		t.Fatalf("PutEntry: %v", err)
	}
	if err := s.RecordEvents(ctx, store.Event{Kind: store.KindAdmin, Action: "deny.create", Target: e.ID}); err != nil {
		t.Fatalf("RecordEvents: %v", err)
	}
	if _, err := s.RecordMissing(ctx, policy.PyPI, "ghost", time.Now()); err != nil {
		t.Fatalf("RecordMissing: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s, err = boltstore.Open(path, boltstore.Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	got, err := s.GetEntry(ctx, e.ID)
	if err != nil || got.Pattern != "evil" {
		t.Errorf("GetEntry after reopen = %+v, %v; want the deny entry", got, err)
	}
	evs, _, err := s.Events(ctx, store.EventQuery{})
	if err != nil || len(evs) != 1 || evs[0].Target != e.ID {
		t.Errorf("Events after reopen = %+v, %v; want the admin event", evs, err)
	}
	// New events after reopen still sort after the old ones and get new IDs.
	if err := s.RecordEvents(ctx, store.Event{Kind: store.KindAdmin, Action: "later"}); err != nil {
		t.Fatalf("RecordEvents: %v", err)
	}
	evs, _, err = s.Events(ctx, store.EventQuery{})
	if err != nil || len(evs) != 2 || evs[0].Action != "later" || evs[0].ID == evs[1].ID {
		t.Errorf("Events after reopen and write = %+v, %v; want later first with a new ID", evs, err)
	}
	if w, err := s.Watched(ctx, policy.PyPI, "ghost"); err != nil || w.Count != 1 {
		t.Errorf("Watched after reopen = %+v, %v; want count 1", w, err)
	}
}

func TestSecondOpenFailsFast(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigil.db")
	s, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	start := time.Now()
	s2, err := boltstore.Open(path, boltstore.Options{})
	elapsed := time.Since(start)
	if err == nil {
		s2.Close()
		t.Fatal("second Open succeeded, want a lock error")
	}
	if elapsed > 3*time.Second {
		t.Errorf("second Open took %v, want < 3s", elapsed)
	}
	if !strings.Contains(err.Error(), "locked by another process") {
		t.Errorf("second Open error = %q, want it to say the file is locked", err)
	}
}

func TestCorruptFile(t *testing.T) {
	garbage := make([]byte, 64<<10)
	_, _ = rand.Read(garbage)
	tests := []struct {
		name string
		data []byte
	}{
		{"random bytes", garbage},
		{"text", []byte(strings.Repeat("this is not a database\n", 1000))},
		{"short", []byte("x")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "vigil.db")
			if err := os.WriteFile(path, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := boltstore.Open(path, boltstore.Options{})
			if err == nil {
				s.Close()
				t.Fatal("Open(garbage) succeeded, want an error")
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "corrupt or not a vigil-proxy store file") {
				t.Errorf("Open(garbage) error = %q, want it to name the file and say it is corrupt", err)
			}
		})
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigil.db")
	if err := boltstore.WriteSchemaVersionForTest(path, uint64(boltstore.SchemaVersion()+1)); err != nil {
		t.Fatal(err)
	}
	s, err := boltstore.Open(path, boltstore.Options{})
	if err == nil {
		s.Close()
		t.Fatal("Open(newer schema) succeeded, want an error")
	}
	if !strings.Contains(err.Error(), "newer than this release supports") {
		t.Errorf("Open(newer schema) error = %q", err)
	}
}

func TestOpenEmptyPath(t *testing.T) {
	if _, err := boltstore.Open("", boltstore.Options{}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Open(\"\") error = %v, want ErrInvalid", err)
	}
}

// TestDamagedPages overwrites one page at a time of a populated file with
// junk: operations must return errors, never panic.
func TestDamagedPages(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	s, err := boltstore.Open(good, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	evs := make([]store.Event, 2000)
	for i := range evs {
		evs[i] = store.Event{Kind: store.KindDecision, Package: fmt.Sprintf("package-%04d", i), Reason: strings.Repeat("r", 40)}
	}
	if err := s.RecordEvents(ctx, evs...); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutEntry(ctx, policy.ListEntry{Kind: policy.Allowlist, Ecosystem: policy.PyPI, Pattern: "requests"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	const pageSize = 4096 // os.Getpagesize on the platforms we test
	pages := len(raw) / pageSize
	rng := mathrand.New(mathrand.NewPCG(1, 2))
	junk := make([]byte, pageSize)
	corruptSeen := false
	for p := 2; p < pages && p < 20; p++ { // pages 0 and 1 are the meta pages
		for i := range junk {
			junk[i] = byte(rng.Uint32())
		}
		b := bytes.Clone(raw)
		copy(b[p*pageSize:], junk)
		path := filepath.Join(dir, fmt.Sprintf("damaged-%d.db", p))
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		errs := exercise(t, path)
		for _, err := range errs {
			if err != nil && strings.Contains(err.Error(), "corrupt") {
				corruptSeen = true
			}
		}
	}
	if !corruptSeen {
		t.Errorf("no damaged page was reported as corruption")
	}
}

// exercise opens path and runs every read and some writes, returning the
// errors seen.
func exercise(t *testing.T, path string) []error {
	t.Helper()
	ctx := t.Context()
	s, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		return []error{err}
	}
	defer s.Close()
	var errs []error
	_, err = s.Entries(ctx)
	errs = append(errs, err)
	q := store.EventQuery{Limit: 500}
	for range 10 {
		_, next, err := s.Events(ctx, q)
		errs = append(errs, err)
		if err != nil || next == "" {
			break
		}
		q.Cursor = next
	}
	_, err = s.Watchlist(ctx)
	errs = append(errs, err)
	_, err = s.Requests(ctx, "")
	errs = append(errs, err)
	_, err = s.PutEntry(ctx, policy.ListEntry{Kind: policy.Deny, Ecosystem: policy.NPM, Pattern: "evil"})
	errs = append(errs, err)
	_, err = s.PruneEvents(ctx, time.Now().Add(time.Hour))
	errs = append(errs, err)
	return errs
}

// The watchlist is bounded: new names beyond MaxWatchEntries evict the
// least-requested, oldest entries; a name requested often survives.
func TestWatchlistBounded(t *testing.T) {
	ctx := t.Context()
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "store.db"), boltstore.Options{MaxWatchEntries: 200})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for range 5 {
		if _, err := s.RecordMissing(ctx, policy.NPM, "often-asked", base); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 1000 {
		if _, err := s.RecordMissing(ctx, policy.NPM, fmt.Sprintf("random-%04d", i), base.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	wl, err := s.Watchlist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(wl) > 200 || len(wl) < 150 {
		t.Errorf("watchlist holds %d entries after 1001 names, want at most 200 (and not emptied)", len(wl))
	}
	if _, err := s.Watched(ctx, policy.NPM, "often-asked"); err != nil {
		t.Errorf("the most requested entry was evicted: %v", err)
	}
	if _, err := s.Watched(ctx, policy.NPM, "random-0999"); err != nil {
		t.Errorf("the newest entry is missing: %v", err)
	}
	if _, err := s.Watched(ctx, policy.NPM, "random-0000"); err == nil {
		t.Errorf("the oldest single-request entry survived eviction")
	}
}

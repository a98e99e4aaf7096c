package boltstore_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
	"github.com/vigil-proxy/vigil-proxy/store/boltstore"
)

// On a file that cannot grow (a full disk), an entry and an audit event too
// large for the free pages fail together at commit: neither is stored.
func TestFullFileStoresNeitherChangeNorEvent(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "vigil.db")
	s, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err = boltstore.Open(path, boltstore.WithMaxFileSizeForTest(boltstore.Options{}, int(fi.Size())))
	if err != nil {
		t.Fatalf("Open capped at %d bytes: %v", fi.Size(), err)
	}
	defer s.Close()

	entry := policy.ListEntry{Kind: policy.Allowlist, Ecosystem: policy.PyPI, Pattern: "requests", Reason: strings.Repeat("r", 900)}
	err = s.Update(ctx, func(tx store.Tx) error {
		e, err := tx.PutEntry(ctx, entry)
		if err != nil {
			return err
		}
		after, _ := json.Marshal(map[string]string{"entry": e.ID, "note": strings.Repeat("x", 256<<10)})
		return tx.RecordEvents(ctx, store.Event{Kind: store.KindAdmin, Action: "list.create", Target: e.ID, After: after})
	})
	if !errors.Is(err, bolterrors.ErrMaxSizeReached) {
		t.Fatalf("Update on a full file error = %v, want the file-size limit", err)
	}
	if all, err := s.Entries(ctx); err != nil || len(all) != 0 {
		t.Errorf("Entries after the failed commit = %+v, %v; want none", all, err)
	}
	if evs, _, err := s.Events(ctx, store.EventQuery{}); err != nil || len(evs) != 0 {
		t.Errorf("Events after the failed commit = %+v, %v; want none", evs, err)
	}
	// The entry alone fits: written on its own, as before this transaction
	// existed, it would have been in force without its audit event.
	if _, err := s.PutEntry(ctx, entry); err != nil {
		t.Errorf("PutEntry alone on the full file: %v; want it to fit", err)
	}
}

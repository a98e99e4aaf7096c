package boltstore

import (
	"context"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// errTxDone: a store.Tx was used after its Update returned.
var errTxDone = errors.New("transaction already finished")

// Update runs fn in one bbolt write transaction: the entries, requests and
// events fn writes are committed together, or none is (fn failed, or the
// commit could not write the file: a full disk, an I/O error).
func (s *Store) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("update: %w", err)
	}
	var t *boltTx
	err := s.write(func(tx *bolt.Tx) error {
		t = &boltTx{s: s, tx: tx}
		return fn(t)
	})
	if t != nil {
		t.tx = nil
	}
	if err != nil {
		return fmt.Errorf("update (nothing stored): %w", err)
	}
	return nil
}

// boltTx is a store.Tx over one bbolt write transaction.
type boltTx struct {
	s  *Store
	tx *bolt.Tx // nil once Update returned
}

var _ store.Tx = (*boltTx)(nil)

// begin checks that the transaction is still open and ctx still live.
func (t *boltTx) begin(ctx context.Context) error {
	if t.tx == nil {
		return errTxDone
	}
	return ctx.Err()
}

func (t *boltTx) GetEntry(ctx context.Context, id string) (policy.ListEntry, error) {
	if err := t.begin(ctx); err != nil {
		return policy.ListEntry{}, fmt.Errorf("get entry %s: %w", id, err)
	}
	b, err := bucket(t.tx, bucketEntries)
	if err == nil {
		var e policy.ListEntry
		if e, err = getEntry(b, id); err == nil {
			return e, nil
		}
	}
	return policy.ListEntry{}, fmt.Errorf("get entry %s: %w", id, err)
}

func (t *boltTx) PutEntry(ctx context.Context, e policy.ListEntry) (policy.ListEntry, error) {
	if err := t.begin(ctx); err != nil {
		return policy.ListEntry{}, fmt.Errorf("put entry: %w", err)
	}
	e, err := t.s.putEntry(t.tx, e)
	if err != nil {
		return policy.ListEntry{}, fmt.Errorf("put entry: %w", err)
	}
	return e, nil
}

func (t *boltTx) DeleteEntry(ctx context.Context, id string) error {
	if err := t.begin(ctx); err != nil {
		return fmt.Errorf("delete entry %s: %w", id, err)
	}
	if err := deleteEntry(t.tx, id); err != nil {
		return fmt.Errorf("delete entry %s: %w", id, err)
	}
	return nil
}

func (t *boltTx) GetRequest(ctx context.Context, id string) (store.Request, error) {
	if err := t.begin(ctx); err != nil {
		return store.Request{}, fmt.Errorf("get request %s: %w", id, err)
	}
	b, err := bucket(t.tx, bucketRequests)
	if err == nil {
		var r store.Request
		if r, err = getRequest(b, id); err == nil {
			return r, nil
		}
	}
	return store.Request{}, fmt.Errorf("get request %s: %w", id, err)
}

func (t *boltTx) PutRequest(ctx context.Context, r store.Request) (store.Request, error) {
	if err := t.begin(ctx); err != nil {
		return store.Request{}, fmt.Errorf("put request: %w", err)
	}
	r, err := t.s.putRequest(t.tx, r)
	if errors.Is(err, store.ErrAlreadyPending) {
		return r, fmt.Errorf("put request: %w", err) // r is the pending request
	}
	if err != nil {
		return store.Request{}, fmt.Errorf("put request: %w", err)
	}
	return r, nil
}

func (t *boltTx) ForgetWatched(ctx context.Context, eco policy.Ecosystem, name string) (store.WatchEntry, error) {
	if err := t.begin(ctx); err != nil {
		return store.WatchEntry{}, fmt.Errorf("forget watched %s:%s: %w", eco, name, err)
	}
	w, err := forgetWatched(t.tx, eco, name)
	if err != nil {
		return store.WatchEntry{}, fmt.Errorf("forget watched %s:%s: %w", eco, name, err)
	}
	return w, nil
}

func (t *boltTx) RecordEvents(ctx context.Context, evs ...store.Event) error {
	if len(evs) == 0 {
		return nil
	}
	if err := t.begin(ctx); err != nil {
		return fmt.Errorf("record %d events: %w", len(evs), err)
	}
	if err := t.s.recordEvents(t.tx, evs); err != nil {
		return fmt.Errorf("record %d events: %w", len(evs), err)
	}
	return nil
}

package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// errTxDone: a store.Tx was used after its Update returned.
var errTxDone = errors.New("transaction already finished")

// Update runs fn in one PostgreSQL transaction: the entries, requests and
// events fn writes are committed together (with one change notification to
// the other replicas), or none is (fn failed, a statement or the commit
// failed: the database went away, a full disk). When the connection is lost
// after COMMIT was sent, the server may have committed it: the error then
// wraps store.ErrCommitUnknown instead of saying nothing was stored.
func (s *Store) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("update (nothing stored): begin: %w", err)
	}
	// A no-op once committed; rolls back when fn fails or panics (as
	// pgx.BeginFunc does; a connection whose rollback fails is closed, and
	// the server rolls back).
	defer func() { _ = tx.Rollback(ctx) }()
	t := &pgTx{s: s, tx: tx}
	err = fn(t)
	t.tx = nil
	if err != nil {
		return fmt.Errorf("update (nothing stored): %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		if commitOutcomeUnknown(err) {
			return fmt.Errorf("update: %w: %w", store.ErrCommitUnknown, err)
		}
		return fmt.Errorf("update (nothing stored): commit: %w", err)
	}
	return nil
}

// commitOutcomeUnknown reports whether a failed COMMIT may still have been
// committed by the server: the server did not answer with an error (a
// PostgreSQL error, or ROLLBACK for an aborted transaction, means nothing
// was stored), and pgx cannot tell that COMMIT was never sent (a
// connection already closed, a context already done).
func commitOutcomeUnknown(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) || errors.Is(err, pgx.ErrTxCommitRollback) {
		return false
	}
	return !pgconn.SafeToRetry(err)
}

// pgTx is a store.Tx over one PostgreSQL transaction.
type pgTx struct {
	s  *Store
	tx pgx.Tx // nil once Update returned
}

var _ store.Tx = (*pgTx)(nil)

func (t *pgTx) GetEntry(ctx context.Context, id string) (policy.ListEntry, error) {
	if t.tx == nil {
		return policy.ListEntry{}, fmt.Errorf("get entry %s: %w", id, errTxDone)
	}
	var e policy.ListEntry
	// FOR UPDATE: a Tx reads to change what it read; another replica's
	// change of the same row waits for this commit, and this read waits
	// for theirs and sees it (never a value already replaced).
	if err := getDoc(ctx, t.tx, "SELECT doc FROM vigil_entries WHERE id = $1 FOR UPDATE", id, &e); err != nil {
		return policy.ListEntry{}, fmt.Errorf("get entry %s: %w", id, err)
	}
	return e, nil
}

func (t *pgTx) PutEntry(ctx context.Context, e policy.ListEntry) (policy.ListEntry, error) {
	if t.tx == nil {
		return policy.ListEntry{}, fmt.Errorf("put entry: %w", errTxDone)
	}
	e, err := t.s.putEntry(ctx, t.tx, e)
	if err != nil {
		return policy.ListEntry{}, fmt.Errorf("put entry: %w", err)
	}
	return e, nil
}

func (t *pgTx) DeleteEntry(ctx context.Context, id string) error {
	if t.tx == nil {
		return fmt.Errorf("delete entry %s: %w", id, errTxDone)
	}
	if err := deleteEntry(ctx, t.tx, id); err != nil {
		return fmt.Errorf("delete entry %s: %w", id, err)
	}
	return nil
}

func (t *pgTx) GetRequest(ctx context.Context, id string) (store.Request, error) {
	if t.tx == nil {
		return store.Request{}, fmt.Errorf("get request %s: %w", id, errTxDone)
	}
	var r store.Request
	// FOR UPDATE, as GetEntry: two replicas deciding one request are
	// serialised, and the second sees the first's decision.
	if err := getDoc(ctx, t.tx, "SELECT doc FROM vigil_requests WHERE id = $1 FOR UPDATE", id, &r); err != nil {
		return store.Request{}, fmt.Errorf("get request %s: %w", id, err)
	}
	return r, nil
}

func (t *pgTx) PutRequest(ctx context.Context, r store.Request) (store.Request, error) {
	if t.tx == nil {
		return store.Request{}, fmt.Errorf("put request: %w", errTxDone)
	}
	r, err := t.s.putRequest(ctx, t.tx, r)
	if errors.Is(err, store.ErrAlreadyPending) {
		return r, fmt.Errorf("put request: %w", err) // r is the pending request
	}
	if err != nil {
		return store.Request{}, fmt.Errorf("put request: %w", err)
	}
	return r, nil
}

func (t *pgTx) ForgetWatched(ctx context.Context, eco policy.Ecosystem, name string) (store.WatchEntry, error) {
	if t.tx == nil {
		return store.WatchEntry{}, fmt.Errorf("forget watched %s:%s: %w", eco, name, errTxDone)
	}
	w, err := forgetWatched(ctx, t.tx, eco, name)
	if err != nil {
		return store.WatchEntry{}, fmt.Errorf("forget watched %s:%s: %w", eco, name, err)
	}
	return w, nil
}

func (t *pgTx) RecordEvents(ctx context.Context, evs ...store.Event) error {
	if len(evs) == 0 {
		return nil
	}
	if t.tx == nil {
		return fmt.Errorf("record %d events: %w", len(evs), errTxDone)
	}
	if err := t.s.recordEvents(ctx, t.tx, evs); err != nil {
		return fmt.Errorf("record %d events: %w", len(evs), err)
	}
	return nil
}

package pgstore

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// The Import methods write records exactly as given, IDs and timestamps
// included, for moving another store's contents here (vigil-proxy store
// migrate). Existing records with the same keys are replaced.

// ImportEvents writes events with their IDs (boltstore's ID format) and
// advances the event sequence past them, so new IDs never collide.
func (s *Store) ImportEvents(ctx context.Context, evs []store.Event) error {
	if len(evs) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		batch := &pgx.Batch{}
		var maxSeq int64
		for _, ev := range evs {
			k, err := store.ParseEventID(ev.ID)
			if err != nil {
				return fmt.Errorf("event %q: %w", ev.ID, err)
			}
			maxSeq = max(maxSeq, int64(binary.BigEndian.Uint64(k[8:])&(1<<63-1)))
			batch.Queue("DELETE FROM vigil_events WHERE id = $1", k)
			if err := queueEvent(batch, k, ev); err != nil {
				return err
			}
		}
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return err
		}
		if maxSeq > 0 {
			if _, err := tx.Exec(ctx, "SELECT setval('vigil_event_seq', GREATEST($1, (SELECT last_value FROM vigil_event_seq)))", maxSeq); err != nil {
				return fmt.Errorf("advance the event sequence: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("import %d events: %w", len(evs), err)
	}
	return nil
}

// ImportEntries writes allow and deny entries as given.
func (s *Store) ImportEntries(ctx context.Context, es []policy.ListEntry) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		for _, e := range es {
			if !validKey(e.ID) {
				return fmt.Errorf("entry %q: unusable ID: %w", e.ID, store.ErrInvalid)
			}
			doc, err := json.Marshal(e)
			if err != nil {
				return fmt.Errorf("encode entry %s: %w", e.ID, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO vigil_entries (id, created, doc) VALUES ($1, $2, $3)
ON CONFLICT (id) DO UPDATE SET created = EXCLUDED.created, doc = EXCLUDED.doc`, e.ID, e.Created, string(doc)); err != nil {
				return fmt.Errorf("entry %s: %w", e.ID, err)
			}
		}
		return notifyChange(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("import %d entries: %w", len(es), err)
	}
	return nil
}

// ImportRequests writes approval requests as given.
func (s *Store) ImportRequests(ctx context.Context, rs []store.Request) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		for _, r := range rs {
			if !validKey(r.ID) {
				return fmt.Errorf("request %q: unusable ID: %w", r.ID, store.ErrInvalid)
			}
			if err := upsertRequest(ctx, tx, r); err != nil {
				return fmt.Errorf("request %s: %w", r.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("import %d requests: %w", len(rs), err)
	}
	return nil
}

// ImportWatch writes watchlist entries as given.
func (s *Store) ImportWatch(ctx context.Context, ws []store.WatchEntry) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		for _, w := range ws {
			if !validKey(w.Name) {
				return fmt.Errorf("watch entry %q: unusable name: %w", w.Name, store.ErrInvalid)
			}
			var appeared *int64
			if !w.Appeared.IsZero() {
				ns := w.Appeared.UnixNano()
				appeared = &ns
			}
			if _, err := tx.Exec(ctx, `INSERT INTO vigil_watch (ecosystem, name, first_seen_ns, last_seen_ns, count, appeared_ns)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (ecosystem, name) DO UPDATE SET first_seen_ns = EXCLUDED.first_seen_ns, last_seen_ns = EXCLUDED.last_seen_ns,
	count = EXCLUDED.count, appeared_ns = EXCLUDED.appeared_ns`,
				text(string(w.Ecosystem)), w.Name, w.FirstSeen.UnixNano(), w.LastSeen.UnixNano(), w.Count, appeared); err != nil {
				return fmt.Errorf("watch entry %s:%s: %w", w.Ecosystem, w.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("import %d watch entries: %w", len(ws), err)
	}
	return nil
}

// Empty reports whether the store holds no durable record (events,
// entries, requests, watchlist).
func (s *Store) Empty(ctx context.Context) (bool, error) {
	var any bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM vigil_events) OR EXISTS (SELECT 1 FROM vigil_entries)
	OR EXISTS (SELECT 1 FROM vigil_requests) OR EXISTS (SELECT 1 FROM vigil_watch)`).Scan(&any)
	if err != nil {
		return false, fmt.Errorf("check the store is empty: %w", err)
	}
	return !any, nil
}

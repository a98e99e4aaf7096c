package pgstore

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vigil-proxy/vigil-proxy/store"
)

// Event paging limits, as in boltstore.
const (
	// pruneBatch is how many events PruneEvents deletes per statement.
	pruneBatch = 10_000
)

// RecordEvents appends events in one transaction, assigning IDs from the
// database sequence, Time when zero and Replica when empty.
func (s *Store) RecordEvents(ctx context.Context, evs ...store.Event) error {
	if len(evs) == 0 {
		return nil
	}
	if err := s.inTx(ctx, func(tx pgx.Tx) error { return s.recordEvents(ctx, tx, evs) }); err != nil {
		return fmt.Errorf("record %d events: %w", len(evs), err)
	}
	return nil
}

// recordEvents is RecordEvents inside tx.
func (s *Store) recordEvents(ctx context.Context, tx pgx.Tx, evs []store.Event) error {
	rows, err := tx.Query(ctx, "SELECT nextval('vigil_event_seq') FROM generate_series(1, $1)", len(evs))
	if err != nil {
		return fmt.Errorf("next sequence: %w", err)
	}
	seqs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("next sequence: %w", err)
	}
	now := s.now()
	batch := &pgx.Batch{}
	for i, ev := range evs {
		if ev.Time.IsZero() {
			ev.Time = now
		}
		if ev.Replica == "" {
			ev.Replica = s.replica
		}
		k := store.EventKey(ev.Time, uint64(seqs[i]))
		ev.ID = hex.EncodeToString(k)
		if err := queueEvent(batch, k, ev); err != nil {
			return err
		}
	}
	return tx.SendBatch(ctx, batch).Close()
}

// queueEvent adds the insert of ev under key k to b.
func queueEvent(b *pgx.Batch, k []byte, ev store.Event) error {
	doc, err := json.Marshal(ev)
	if err != nil { // e.g. Before or After is not valid JSON
		return fmt.Errorf("encode event: %w: %w", err, store.ErrInvalid)
	}
	rules := make([]string, len(ev.Rules))
	for i, r := range ev.Rules {
		rules[i] = text(r)
	}
	b.Queue(`INSERT INTO vigil_events (id, time, kind, ecosystem, package, verdict, rules, client, replica, doc)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		k, ev.Time, text(ev.Kind), text(string(ev.Ecosystem)), text(ev.Package), text(ev.Verdict),
		rules, text(ev.Client), text(ev.Replica), string(doc))
	return nil
}

// Events returns one page of matching events, newest first. Since is
// inclusive and Until exclusive.
func (s *Store) Events(ctx context.Context, q store.EventQuery) ([]store.Event, string, error) {
	limit, err := store.EventPageSize(q.Limit)
	if err != nil {
		return nil, "", err
	}
	var (
		where []string
		args  []any
	)
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if q.Cursor != "" {
		k, err := store.ParseEventID(q.Cursor)
		if err != nil {
			return nil, "", fmt.Errorf("query events: %w", err)
		}
		add("id < $%d", k)
	}
	if !q.Until.IsZero() {
		add("id < $%d", store.EventKey(q.Until, 0))
	}
	if !q.Since.IsZero() {
		add("id >= $%d", store.EventKey(q.Since, 0))
	}
	for _, f := range []struct{ cond, v string }{
		{"kind = $%d", q.Kind}, {"ecosystem = $%d", string(q.Ecosystem)}, {"package = $%d", q.Package},
		{"verdict = $%d", q.Verdict}, {"$%d = ANY(rules)", q.Rule}, {"strpos(client, $%d) > 0", q.Client},
	} {
		if f.v != "" {
			add(f.cond, text(f.v))
		}
	}
	sql := "SELECT id, doc FROM vigil_events"
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += fmt.Sprintf(" ORDER BY id DESC LIMIT %d", limit+1)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, "", fmt.Errorf("query events: %w", err)
	}
	var out []store.Event
	for rows.Next() {
		var (
			id  []byte
			doc []byte
		)
		if err := rows.Scan(&id, &doc); err != nil {
			rows.Close()
			return nil, "", fmt.Errorf("query events: %w", err)
		}
		var ev store.Event
		if err := json.Unmarshal(doc, &ev); err != nil {
			rows.Close()
			return nil, "", fmt.Errorf("query events: decode event %x: %w", id, err)
		}
		ev.ID = hex.EncodeToString(id)
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("query events: %w", err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID
	}
	return out, next, nil
}

// PruneEvents deletes events older than before, pruneBatch rows per
// statement so that a large prune does not hold locks for long.
func (s *Store) PruneEvents(ctx context.Context, before time.Time) (int, error) {
	limit := store.EventKey(before, 0)
	total := 0
	for {
		tag, err := s.pool.Exec(ctx, `DELETE FROM vigil_events WHERE id IN
	(SELECT id FROM vigil_events WHERE id < $1 ORDER BY id LIMIT $2)`, limit, pruneBatch)
		if err != nil {
			return total, fmt.Errorf("prune events: %w", err)
		}
		n := int(tag.RowsAffected())
		total += n
		if n < pruneBatch {
			return total, nil
		}
	}
}

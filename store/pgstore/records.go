package pgstore

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// newID returns 16 random hex characters.
func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error
	return hex.EncodeToString(b[:])
}

// notifyChange tells every replica's WatchChanges, at commit, that entries
// changed.
func notifyChange(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, "SELECT pg_notify($1, 'entries')", changeChannel); err != nil {
		return fmt.Errorf("notify replicas: %w", err)
	}
	return nil
}

// PutEntry creates (empty ID) or replaces an entry, with boltstore's
// semantics: Source is store.SourceStore, a new entry gets a random ID and,
// when zero, Created; a replacement keeps the stored Created when the new
// value has none; replacing an unknown ID is store.ErrNotFound; invalid
// entries are store.ErrInvalid.
func (s *Store) PutEntry(ctx context.Context, e policy.ListEntry) (policy.ListEntry, error) {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		e, err = s.putEntry(ctx, tx, e)
		return err
	})
	if err != nil {
		return policy.ListEntry{}, fmt.Errorf("put entry: %w", err)
	}
	return e, nil
}

// putEntry is PutEntry inside tx.
func (s *Store) putEntry(ctx context.Context, tx pgx.Tx, e policy.ListEntry) (policy.ListEntry, error) {
	e.Source = store.SourceStore
	if e.ID != "" && !validKey(e.ID) {
		return e, fmt.Errorf("entry %q: %w", e.ID, store.ErrNotFound)
	}
	err := func() error {
		if e.ID == "" {
			e.ID = newID()
			if e.Created.IsZero() {
				e.Created = s.now()
			}
		} else {
			var doc []byte
			err := tx.QueryRow(ctx, "SELECT doc FROM vigil_entries WHERE id = $1 FOR UPDATE", e.ID).Scan(&doc)
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("entry %s: %w", e.ID, store.ErrNotFound)
			}
			if err != nil {
				return err
			}
			var old policy.ListEntry
			if err := json.Unmarshal(doc, &old); err != nil {
				return fmt.Errorf("decode entry %s: %w", e.ID, err)
			}
			if e.Created.IsZero() {
				e.Created = old.Created
			}
		}
		if err := store.ValidateEntry(e); err != nil {
			return err
		}
		doc, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("encode entry: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO vigil_entries (id, created, doc) VALUES ($1, $2, $3)
ON CONFLICT (id) DO UPDATE SET created = EXCLUDED.created, doc = EXCLUDED.doc`, e.ID, e.Created, string(doc)); err != nil {
			return err
		}
		return notifyChange(ctx, tx)
	}()
	return e, err
}

// GetEntry returns the entry with that ID or store.ErrNotFound.
func (s *Store) GetEntry(ctx context.Context, id string) (policy.ListEntry, error) {
	var e policy.ListEntry
	if err := getDoc(ctx, s.pool, "SELECT doc FROM vigil_entries WHERE id = $1", id, &e); err != nil {
		return policy.ListEntry{}, fmt.Errorf("get entry %s: %w", id, err)
	}
	return e, nil
}

// rowQuerier is a pool or a transaction.
type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// getDoc decodes the doc column of the row sql selects for id into v.
func getDoc(ctx context.Context, q rowQuerier, sql, id string, v any) error {
	if !validKey(id) {
		return store.ErrNotFound
	}
	var doc []byte
	err := q.QueryRow(ctx, sql, id).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(doc, v); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	return nil
}

// DeleteEntry deletes the entry with that ID or returns store.ErrNotFound.
func (s *Store) DeleteEntry(ctx context.Context, id string) error {
	if err := s.inTx(ctx, func(tx pgx.Tx) error { return deleteEntry(ctx, tx, id) }); err != nil {
		return fmt.Errorf("delete entry %s: %w", id, err)
	}
	return nil
}

// deleteEntry is DeleteEntry inside tx.
func deleteEntry(ctx context.Context, tx pgx.Tx, id string) error {
	if !validKey(id) {
		return store.ErrNotFound
	}
	tag, err := tx.Exec(ctx, "DELETE FROM vigil_entries WHERE id = $1", id)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return notifyChange(ctx, tx)
}

// Entries returns every stored entry, expired ones included, ordered by
// Created then ID.
func (s *Store) Entries(ctx context.Context) ([]policy.ListEntry, error) {
	out, err := queryDocs[policy.ListEntry](ctx, s, "SELECT doc FROM vigil_entries")
	if err != nil {
		return nil, fmt.Errorf("list entries: %w", err)
	}
	slices.SortFunc(out, func(a, b policy.ListEntry) int {
		return cmp.Or(a.Created.Compare(b.Created), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// queryDocs decodes the doc column of every row.
func queryDocs[T any](ctx context.Context, s *Store, sql string, args ...any) ([]T, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	docs, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(docs))
	for _, doc := range docs {
		var v T
		if err := json.Unmarshal(doc, &v); err != nil {
			return nil, fmt.Errorf("decode: %w", err)
		}
		out = append(out, v)
	}
	return out, nil
}

// PutRequest creates (empty ID: random ID, Created defaulted, Status
// defaulted to pending) or replaces a request. Changing the status of a
// request that is no longer pending is store.ErrConflict (checked under a
// row lock, so two replicas cannot both decide it); replacing an unknown ID
// is store.ErrNotFound; a pending request for the package and version of
// another pending one is store.ErrAlreadyPending (on creation, returned
// with that other request), which the partial unique index
// vigil_requests_one_pending enforces across replicas.
func (s *Store) PutRequest(ctx context.Context, r store.Request) (store.Request, error) {
	var existing store.Request
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		r, err = s.putRequest(ctx, tx, r)
		if errors.Is(err, store.ErrAlreadyPending) {
			existing = r // the request already pending
		}
		return err
	})
	if errors.Is(err, store.ErrAlreadyPending) {
		return existing, fmt.Errorf("put request: %w", err)
	}
	if err != nil {
		return store.Request{}, fmt.Errorf("put request: %w", err)
	}
	return r, nil
}

// putRequest is PutRequest inside tx. On store.ErrAlreadyPending it returns
// the request already pending.
func (s *Store) putRequest(ctx context.Context, tx pgx.Tx, r store.Request) (store.Request, error) {
	if r.Status == "" && r.ID == "" {
		r.Status = store.RequestPending
	}
	if err := store.ValidateRequest(r); err != nil {
		return r, err
	}
	if r.ID != "" && !validKey(r.ID) {
		return r, fmt.Errorf("request %q: %w", r.ID, store.ErrNotFound)
	}
	if r.ID == "" {
		r.ID = newID()
		if r.Created.IsZero() {
			r.Created = s.now()
		}
		if r.Status == store.RequestPending {
			return insertPending(ctx, tx, r)
		}
		return r, upsertRequest(ctx, tx, r)
	}
	var doc []byte
	err := tx.QueryRow(ctx, "SELECT doc FROM vigil_requests WHERE id = $1 FOR UPDATE", r.ID).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, fmt.Errorf("request %s: %w", r.ID, store.ErrNotFound)
	}
	if err != nil {
		return r, err
	}
	var old store.Request
	if err := json.Unmarshal(doc, &old); err != nil {
		return r, fmt.Errorf("decode request %s: %w", r.ID, err)
	}
	if old.Status != store.RequestPending && r.Status != old.Status {
		return r, fmt.Errorf("request %s is already %s: %w", r.ID, old.Status, store.ErrConflict)
	}
	if r.Created.IsZero() {
		r.Created = old.Created
	}
	err = upsertRequest(ctx, tx, r)
	if isUniqueViolation(err) {
		// Only a replacement that renames a pending request onto another
		// pending one's package gets here; the transaction is spoiled.
		return r, fmt.Errorf("request %s for %s:%s %s: %w", r.ID, r.Ecosystem, r.Name, r.Version, store.ErrAlreadyPending)
	}
	return r, err
}

// pendingKey is the key of the partial unique index
// vigil_requests_one_pending (migration 4): a pending request's ecosystem,
// name and version ("" when the document has none).
const pendingKey = `(doc->>'ecosystem'), (doc->>'name'), (coalesce(doc->>'version', ''))`

// insertPending inserts the new pending request r unless another request
// for its package and version is pending, which it then returns with
// store.ErrAlreadyPending. The insert defers to the unique index, so the
// check and the write are one step: an insert racing with another
// replica's waits for that one's commit, then does nothing. It never
// fails the transaction for a duplicate, so the caller may go on.
func insertPending(ctx context.Context, tx pgx.Tx, r store.Request) (store.Request, error) {
	doc, err := json.Marshal(r)
	if err != nil {
		return r, fmt.Errorf("encode request: %w", err)
	}
	// The pending request found may be decided before it is read back;
	// then the insert is tried again.
	for range 3 {
		tag, err := tx.Exec(ctx, `INSERT INTO vigil_requests (id, status, created, doc) VALUES ($1, $2, $3, $4)
ON CONFLICT (`+pendingKey+`) WHERE status = 'pending' DO NOTHING`, r.ID, r.Status, r.Created, string(doc))
		if err != nil {
			return r, err
		}
		if tag.RowsAffected() == 1 {
			return r, nil
		}
		var odoc []byte
		err = tx.QueryRow(ctx, `SELECT doc FROM vigil_requests WHERE status = 'pending'
AND (doc->>'ecosystem') = $1 AND (doc->>'name') = $2 AND coalesce(doc->>'version', '') = $3`,
			string(r.Ecosystem), r.Name, r.Version).Scan(&odoc)
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return r, fmt.Errorf("read the pending request for %s:%s: %w", r.Ecosystem, r.Name, err)
		}
		var o store.Request
		if err := json.Unmarshal(odoc, &o); err != nil {
			return r, fmt.Errorf("decode the pending request for %s:%s: %w", r.Ecosystem, r.Name, err)
		}
		return o, fmt.Errorf("request %s for %s:%s %s: %w", o.ID, o.Ecosystem, o.Name, o.Version, store.ErrAlreadyPending)
	}
	return r, fmt.Errorf("pending requests for %s:%s keep changing; try again: %w", r.Ecosystem, r.Name, store.ErrConflict)
}

// uniqueViolation is PostgreSQL's SQLSTATE unique_violation.
const uniqueViolation = "23505"

// isUniqueViolation reports whether err is PostgreSQL's unique_violation.
func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == uniqueViolation
}

func upsertRequest(ctx context.Context, tx pgx.Tx, r store.Request) error {
	doc, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode request: %w", err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO vigil_requests (id, status, created, doc) VALUES ($1, $2, $3, $4)
ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, created = EXCLUDED.created, doc = EXCLUDED.doc`,
		r.ID, r.Status, r.Created, string(doc))
	return err
}

// GetRequest returns the request with that ID or store.ErrNotFound.
func (s *Store) GetRequest(ctx context.Context, id string) (store.Request, error) {
	var r store.Request
	if err := getDoc(ctx, s.pool, "SELECT doc FROM vigil_requests WHERE id = $1", id, &r); err != nil {
		return store.Request{}, fmt.Errorf("get request %s: %w", id, err)
	}
	return r, nil
}

// Requests lists requests with the given status ("" for all), newest first.
func (s *Store) Requests(ctx context.Context, status string) ([]store.Request, error) {
	if status != "" && !store.ValidStatus(status) {
		return nil, fmt.Errorf("list requests: unknown status %q: %w", status, store.ErrInvalid)
	}
	out, err := queryDocs[store.Request](ctx, s, "SELECT doc FROM vigil_requests WHERE $1 = '' OR status = $1", status)
	if err != nil {
		return nil, fmt.Errorf("list requests: %w", err)
	}
	slices.SortFunc(out, func(a, b store.Request) int {
		return cmp.Or(b.Created.Compare(a.Created), strings.Compare(b.ID, a.ID))
	})
	return out, nil
}

// Watch times are kept as Unix nanoseconds so they round-trip exactly.
func fromNanos(ns int64) time.Time { return time.Unix(0, ns).UTC() }

// RecordMissing creates the watchlist entry for a name or bumps its LastSeen
// (never backwards) and Count, in one atomic statement, so replicas
// recording the same name at once count every request.
func (s *Store) RecordMissing(ctx context.Context, eco policy.Ecosystem, name string, at time.Time) (store.WatchEntry, error) {
	if err := store.ValidateWatch(eco, name); err != nil {
		return store.WatchEntry{}, fmt.Errorf("record missing: %w", err)
	}
	if !validKey(name) {
		return store.WatchEntry{}, fmt.Errorf("record missing: name %q: %w", name, store.ErrInvalid)
	}
	if at.IsZero() {
		at = s.now()
	}
	var first, last, count int64
	var appeared *int64
	var inserted bool
	err := s.pool.QueryRow(ctx, `INSERT INTO vigil_watch AS w (ecosystem, name, first_seen_ns, last_seen_ns, count)
VALUES ($1, $2, $3, $3, 1)
ON CONFLICT (ecosystem, name) DO UPDATE SET
	count = w.count + 1,
	last_seen_ns = GREATEST(w.last_seen_ns, EXCLUDED.last_seen_ns),
	first_seen_ns = LEAST(w.first_seen_ns, EXCLUDED.first_seen_ns)
RETURNING first_seen_ns, last_seen_ns, count, appeared_ns, xmax = 0`, string(eco), name, at.UnixNano()).Scan(&first, &last, &count, &appeared, &inserted)
	if err != nil {
		return store.WatchEntry{}, fmt.Errorf("record missing %s:%s: %w", eco, name, err)
	}
	if inserted {
		s.boundWatchlist(ctx, string(eco), name)
	}
	return watchEntry(eco, name, first, last, count, appeared), nil
}

// boundWatchlist evicts the least-requested, oldest entries (never the one
// just added) when the watchlist is over its bound, a hundredth of the bound
// at a time so that the check is rarely more than a count. Failures are
// logged: the watchlist stays usable, only larger.
func (s *Store) boundWatchlist(ctx context.Context, eco, name string) {
	var n int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM vigil_watch").Scan(&n); err != nil {
		s.log.WarnContext(ctx, "watchlist bound check failed", "error", err)
		return
	}
	if n <= s.maxWatch {
		return
	}
	evict := n - s.maxWatch + s.maxWatch/100
	tag, err := s.pool.Exec(ctx, `DELETE FROM vigil_watch WHERE (ecosystem, name) IN (
	SELECT ecosystem, name FROM vigil_watch WHERE NOT (ecosystem = $1 AND name = $2)
	ORDER BY count, last_seen_ns LIMIT $3)`, eco, name, evict)
	if err != nil {
		s.log.WarnContext(ctx, "watchlist eviction failed", "error", err)
		return
	}
	s.log.WarnContext(ctx, "watchlist full: evicted the oldest, least-requested entries", "evicted", tag.RowsAffected(), "max_entries", s.maxWatch)
}

func watchEntry(eco policy.Ecosystem, name string, first, last, count int64, appeared *int64) store.WatchEntry {
	w := store.WatchEntry{Ecosystem: eco, Name: name, FirstSeen: fromNanos(first), LastSeen: fromNanos(last), Count: int(count)}
	if appeared != nil {
		w.Appeared = fromNanos(*appeared)
	}
	return w
}

// MarkAppeared sets Appeared on an existing entry if it is not set yet.
func (s *Store) MarkAppeared(ctx context.Context, eco policy.Ecosystem, name string, at time.Time) error {
	if !validKey(name) {
		return fmt.Errorf("mark appeared %s:%s: %w", eco, name, store.ErrNotFound)
	}
	if at.IsZero() {
		at = s.now()
	}
	var found bool
	err := s.pool.QueryRow(ctx, `WITH u AS (
	UPDATE vigil_watch SET appeared_ns = coalesce(appeared_ns, $3) WHERE ecosystem = $1 AND name = $2 RETURNING 1
) SELECT count(*) > 0 FROM u`, string(eco), name, at.UnixNano()).Scan(&found)
	if err != nil {
		return fmt.Errorf("mark appeared %s:%s: %w", eco, name, err)
	}
	if !found {
		return fmt.Errorf("mark appeared %s:%s: %w", eco, name, store.ErrNotFound)
	}
	return nil
}

// Watched returns the entry for a name, or store.ErrNotFound.
func (s *Store) Watched(ctx context.Context, eco policy.Ecosystem, name string) (store.WatchEntry, error) {
	if !validKey(name) {
		return store.WatchEntry{}, fmt.Errorf("watched %s:%s: %w", eco, name, store.ErrNotFound)
	}
	var first, last, count int64
	var appeared *int64
	err := s.pool.QueryRow(ctx, `SELECT first_seen_ns, last_seen_ns, count, appeared_ns FROM vigil_watch
WHERE ecosystem = $1 AND name = $2`, text(string(eco)), name).Scan(&first, &last, &count, &appeared)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.WatchEntry{}, fmt.Errorf("watched %s:%s: %w", eco, name, store.ErrNotFound)
	}
	if err != nil {
		return store.WatchEntry{}, fmt.Errorf("watched %s:%s: %w", eco, name, err)
	}
	return watchEntry(eco, name, first, last, count, appeared), nil
}

// Watchlist returns every entry, most recently seen first.
func (s *Store) Watchlist(ctx context.Context) ([]store.WatchEntry, error) {
	rows, err := s.pool.Query(ctx, `SELECT ecosystem, name, first_seen_ns, last_seen_ns, count, appeared_ns FROM vigil_watch
ORDER BY last_seen_ns DESC, ecosystem COLLATE "C", name COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("watchlist: %w", err)
	}
	var out []store.WatchEntry
	for rows.Next() {
		var (
			eco, name          string
			first, last, count int64
			appeared           *int64
		)
		if err := rows.Scan(&eco, &name, &first, &last, &count, &appeared); err != nil {
			rows.Close()
			return nil, fmt.Errorf("watchlist: %w", err)
		}
		out = append(out, watchEntry(policy.Ecosystem(eco), name, first, last, count, appeared))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("watchlist: %w", err)
	}
	return out, nil
}

// ForgetWatched deletes the entry for a name and returns it as it was, or
// store.ErrNotFound.
func (s *Store) ForgetWatched(ctx context.Context, eco policy.Ecosystem, name string) (store.WatchEntry, error) {
	if !validKey(name) {
		return store.WatchEntry{}, fmt.Errorf("forget watched %s:%s: %w", eco, name, store.ErrNotFound)
	}
	var w store.WatchEntry
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		w, err = forgetWatched(ctx, tx, eco, name)
		return err
	})
	if err != nil {
		return store.WatchEntry{}, fmt.Errorf("forget watched %s:%s: %w", eco, name, err)
	}
	return w, nil
}

// forgetWatched is ForgetWatched inside tx. An admin's decision, like a
// list change: every replica drops answers rendered with the old entry (the
// same notification as entries).
func forgetWatched(ctx context.Context, tx pgx.Tx, eco policy.Ecosystem, name string) (store.WatchEntry, error) {
	if !validKey(name) {
		return store.WatchEntry{}, store.ErrNotFound
	}
	var first, last, count int64
	var appeared *int64
	err := tx.QueryRow(ctx, `DELETE FROM vigil_watch WHERE ecosystem = $1 AND name = $2
RETURNING first_seen_ns, last_seen_ns, count, appeared_ns`, text(string(eco)), name).Scan(&first, &last, &count, &appeared)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.WatchEntry{}, store.ErrNotFound
	}
	if err != nil {
		return store.WatchEntry{}, err
	}
	if err := notifyChange(ctx, tx); err != nil {
		return store.WatchEntry{}, err
	}
	return watchEntry(eco, name, first, last, count, appeared), nil
}

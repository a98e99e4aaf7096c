package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vigil-proxy/vigil-proxy/store"
)

// migration is one numbered schema change.
//
// Migrations are expand-then-contract, so that during a rolling upgrade
// release N and N+1 run side by side on one database: a migration only adds
// (tables, nullable or defaulted columns, indexes) while any release still
// running may not know it. Removing or renaming something is a later,
// separate migration, shipped only once no supported release reads it, and
// it sets MinCompatible to the first release schema that no longer needs
// it: older processes then refuse to start instead of misbehaving. A
// migration may also fix data so that an addition can hold (migration 4
// denies duplicate pending requests before its unique index), in a form
// older releases still read.
type migration struct {
	Version int
	Name    string
	SQL     string
	// Run, when set, is the migration's work that SQL alone cannot do; it
	// runs after SQL, in the same transaction.
	Run func(ctx context.Context, s *Store, tx pgx.Tx) error
	// MinCompatible is the oldest schema version whose code can run against
	// a database with this migration applied (0: every version).
	MinCompatible int
}

// migrations is the ordered schema history. Append only; never reorder or
// edit an applied migration.
var migrations = []migration{
	{Version: 1, Name: "audit events, list entries, approval requests, watchlist", SQL: `
CREATE SEQUENCE vigil_event_seq;
CREATE TABLE vigil_events (
	id        bytea PRIMARY KEY,
	time      timestamptz NOT NULL,
	kind      text NOT NULL,
	ecosystem text NOT NULL DEFAULT '',
	package   text NOT NULL DEFAULT '',
	verdict   text NOT NULL DEFAULT '',
	rules     text[] NOT NULL DEFAULT '{}',
	client    text NOT NULL DEFAULT '',
	replica   text NOT NULL DEFAULT '',
	doc       json NOT NULL
);
CREATE INDEX vigil_events_package ON vigil_events (package, id);
CREATE TABLE vigil_entries (
	id      text PRIMARY KEY,
	created timestamptz NOT NULL,
	doc     json NOT NULL
);
CREATE TABLE vigil_requests (
	id      text PRIMARY KEY,
	status  text NOT NULL,
	created timestamptz NOT NULL,
	doc     json NOT NULL
);
CREATE TABLE vigil_watch (
	ecosystem     text NOT NULL,
	name          text NOT NULL,
	first_seen_ns bigint NOT NULL,
	last_seen_ns  bigint NOT NULL,
	count         bigint NOT NULL,
	appeared_ns   bigint,
	PRIMARY KEY (ecosystem, name)
);`},
	{Version: 2, Name: "state shared by replicas: admin sessions, login rate limits", SQL: `
CREATE TABLE vigil_sessions (
	id       text PRIMARY KEY,
	username text NOT NULL,
	role     text NOT NULL,
	csrf     text NOT NULL,
	expires  timestamptz NOT NULL
);
CREATE INDEX vigil_sessions_expires ON vigil_sessions (expires);
CREATE TABLE vigil_login_limits (
	key    text PRIMARY KEY,
	tokens double precision NOT NULL,
	last   timestamptz NOT NULL
);`},
	{Version: 3, Name: "malware feed shared by replicas: the published generation and its files", SQL: `
CREATE TABLE vigil_malware_feed (
	id         boolean PRIMARY KEY DEFAULT true CHECK (id),
	generation bigint NOT NULL,
	blobs      json NOT NULL,
	state      json NOT NULL,
	replica    text NOT NULL,
	published  timestamptz NOT NULL
);
CREATE TABLE vigil_malware_blobs (
	sha256 text NOT NULL,
	seq    integer NOT NULL,
	data   bytea NOT NULL,
	PRIMARY KEY (sha256, seq)
);`},
	{Version: 4, Name: "at most one pending approval request per package and version", Run: onePendingRequest},
}

// SchemaVersion is the schema version this package writes.
func SchemaVersion() int { return len(migrations) }

// migrationLock is the advisory lock key held while migrating
// (the bytes of "vigilmig").
const migrationLock int64 = 0x7669_6769_6c6d_6967

// migrate applies the pending migrations of ms (the schema history, or its
// first part in tests) in one transaction holding the advisory lock: a
// second process starting at the same time waits, then finds nothing left
// to do.
func (s *Store) migrate(ctx context.Context, ms []migration) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLock); err != nil {
			return fmt.Errorf("take the migration lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS vigil_schema_migrations (
	version        integer PRIMARY KEY,
	name           text NOT NULL,
	min_compatible integer NOT NULL DEFAULT 0,
	applied_at     timestamptz NOT NULL DEFAULT now()
)`); err != nil {
			return fmt.Errorf("create the migrations table: %w", err)
		}
		var current, minCompat int
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0), coalesce(max(min_compatible), 0) FROM vigil_schema_migrations").Scan(&current, &minCompat); err != nil {
			return fmt.Errorf("read the schema version: %w", err)
		}
		if minCompat > len(ms) {
			return fmt.Errorf("the database schema (version %d) needs schema version %d or newer; this release has %d: upgrade vigil-proxy", current, minCompat, len(ms))
		}
		if current > len(ms) {
			s.log.Info("store schema is newer than this release; running on its compatible subset", "schema", current, "release", len(ms))
			return nil
		}
		for _, m := range ms[current:] {
			if m.SQL != "" {
				if _, err := tx.Exec(ctx, m.SQL); err != nil {
					return fmt.Errorf("migrate schema to v%d (%s): %w", m.Version, m.Name, err)
				}
			}
			if m.Run != nil {
				if err := m.Run(ctx, s, tx); err != nil {
					return fmt.Errorf("migrate schema to v%d (%s): %w", m.Version, m.Name, err)
				}
			}
			if _, err := tx.Exec(ctx, "INSERT INTO vigil_schema_migrations (version, name, min_compatible) VALUES ($1, $2, $3)",
				m.Version, m.Name, m.MinCompatible); err != nil {
				return fmt.Errorf("record migration v%d: %w", m.Version, err)
			}
			s.log.Info("store schema migrated", "version", m.Version, "name", m.Name)
		}
		return nil
	})
}

// migrationActor is the Actor of the audit events a migration records.
const migrationActor = "vigil-proxy (store schema migration)"

// onePendingRequest is migration 4: the partial unique index
// vigil_requests_one_pending allows one pending request per ecosystem, name
// and version, so that replicas filing the same request at once store it
// once (insertPending defers to it). Releases before it checked for a
// pending request outside the write and may have stored duplicates: of each
// set, the oldest (by Created, then ID) stays pending and the others are
// denied, with a decision note naming the one kept and a request.deny audit
// event each, so that approving the kept one answers them all and the
// index can be built. The table is locked against writes (older replicas
// still running) from the clean-up to the commit, so no duplicate slips in
// between.
func onePendingRequest(ctx context.Context, s *Store, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, "LOCK TABLE vigil_requests IN SHARE ROW EXCLUSIVE MODE"); err != nil {
		return fmt.Errorf("lock the requests: %w", err)
	}
	rows, err := tx.Query(ctx, "SELECT doc FROM vigil_requests WHERE status = 'pending' ORDER BY created, id")
	if err != nil {
		return fmt.Errorf("read the pending requests: %w", err)
	}
	docs, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return fmt.Errorf("read the pending requests: %w", err)
	}
	type key struct{ eco, name, version string }
	kept := map[key]string{}
	now := s.now().UTC()
	var evs []store.Event
	for _, doc := range docs {
		var r store.Request
		if err := json.Unmarshal(doc, &r); err != nil {
			return fmt.Errorf("decode a pending request: %w", err)
		}
		k := key{string(r.Ecosystem), r.Name, r.Version}
		keep, dup := kept[k]
		if !dup {
			kept[k] = r.ID
			continue
		}
		before := r
		r.Status, r.DecidedBy, r.DecidedAt = store.RequestDenied, migrationActor, now
		r.DecisionNote = "closed as a duplicate of pending request " + keep +
			" for the same package and version: the store now keeps one pending request per package and version"
		if err := upsertRequest(ctx, tx, r); err != nil {
			return fmt.Errorf("close duplicate request %s: %w", r.ID, err)
		}
		ev, err := denyEvent(now, before, r)
		if err != nil {
			return err
		}
		evs = append(evs, ev)
	}
	if len(evs) > 0 {
		if err := s.recordEvents(ctx, tx, evs); err != nil {
			return fmt.Errorf("record the closing of %d duplicate requests: %w", len(evs), err)
		}
		s.log.Warn("closed duplicate pending approval requests, keeping the oldest of each package and version", "closed", len(evs))
	}
	if _, err := tx.Exec(ctx, "CREATE UNIQUE INDEX vigil_requests_one_pending ON vigil_requests ("+pendingKey+") WHERE status = 'pending'"); err != nil {
		return fmt.Errorf("create the one-pending-request index: %w", err)
	}
	return nil
}

// denyEvent is the audit event of a migration denying a request.
func denyEvent(at time.Time, before, after store.Request) (store.Event, error) {
	b, err := json.Marshal(before)
	if err != nil {
		return store.Event{}, fmt.Errorf("encode request %s: %w", before.ID, err)
	}
	a, err := json.Marshal(after)
	if err != nil {
		return store.Event{}, fmt.Errorf("encode request %s: %w", after.ID, err)
	}
	return store.Event{Kind: store.KindAdmin, Time: at, Actor: migrationActor, Action: "request.deny",
		Target: after.ID, Before: b, After: a}, nil
}

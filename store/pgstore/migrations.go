package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// migration is one numbered schema change.
//
// Migrations are expand-then-contract, so that during a rolling upgrade
// release N and N+1 run side by side on one database: a migration only adds
// (tables, nullable or defaulted columns, indexes) while any release still
// running may not know it. Removing or renaming something is a later,
// separate migration, shipped only once no supported release reads it, and
// it sets MinCompatible to the first release schema that no longer needs
// it: older processes then refuse to start instead of misbehaving.
type migration struct {
	Version int
	Name    string
	SQL     string
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
}

// SchemaVersion is the schema version this package writes.
func SchemaVersion() int { return len(migrations) }

// migrationLock is the advisory lock key held while migrating
// (the bytes of "vigilmig").
const migrationLock int64 = 0x7669_6769_6c6d_6967

// migrate applies pending migrations in one transaction holding the
// advisory lock: a second process starting at the same time waits, then
// finds nothing left to do.
func (s *Store) migrate(ctx context.Context) error {
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
		if minCompat > len(migrations) {
			return fmt.Errorf("the database schema (version %d) needs schema version %d or newer; this release has %d: upgrade vigil-proxy", current, minCompat, len(migrations))
		}
		if current > len(migrations) {
			s.log.Info("store schema is newer than this release; running on its compatible subset", "schema", current, "release", len(migrations))
			return nil
		}
		for _, m := range migrations[current:] {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migrate schema to v%d (%s): %w", m.Version, m.Name, err)
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

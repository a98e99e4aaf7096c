// Package boltstore implements store.Store on a single bbolt file.
//
// Layout: one bucket per kind of record ("events", "entries", "requests",
// "watch") plus "meta", which holds the schema version. Open applies the
// ordered migration list so that an older file is brought up to date and a
// file written by a newer release is refused.
//
// Event IDs are 32 hex characters: 8 bytes of big-endian event time (Unix
// nanoseconds, sign bit flipped so that order is preserved) followed by the
// bucket's 8-byte sequence. Keys therefore sort like event times, newest
// last, and a page of events is a reverse cursor walk. Entry and request IDs
// are 16 random hex characters.
package boltstore

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/vigil-proxy/vigil-proxy/store"
)

// Bucket and key names.
var (
	bucketMeta     = []byte("meta")
	bucketEvents   = []byte("events")
	bucketEntries  = []byte("entries")
	bucketRequests = []byte("requests")
	bucketWatch    = []byte("watch")

	keySchemaVersion = []byte("schema_version")
)

// Open's failures callers can act on.
var (
	// ErrLocked: another process holds the file.
	ErrLocked = errors.New("file is locked by another process")
	// ErrCorrupt: the file is not a readable vigil-proxy store.
	ErrCorrupt = errors.New("corrupt or not a vigil-proxy store file")
)

// openTimeout bounds the wait for bbolt's exclusive file lock, so that a
// second process opening the same file fails fast.
const openTimeout = time.Second

// Options configure a Store.
type Options struct {
	// Now is the clock used for IDs and default timestamps (time.Now when nil).
	Now func() time.Time
	// Logger receives operational messages (discarded when nil).
	Logger *slog.Logger
	// MaxWatchEntries bounds the watchlist (DefaultMaxWatchEntries when
	// zero): a new name beyond it evicts the oldest, least-requested
	// entries, so anonymous requests for random names cannot grow the file
	// without limit.
	MaxWatchEntries int
	// maxFileSize, when positive, caps the file as a full disk would
	// (tests only: see WithMaxFileSizeForTest).
	maxFileSize int
}

// DefaultMaxWatchEntries is the default watchlist bound.
const DefaultMaxWatchEntries = 100_000

// Store is a store.Store backed by a bbolt file. It is safe for concurrent
// use; bbolt serialises writers.
type Store struct {
	db  *bolt.DB
	now func() time.Time
	log *slog.Logger
	// scanLimit is maxEventScan; tests lower it.
	scanLimit int
	maxWatch  int
	// eventFault, when set, fails every event write (tests only: see
	// FailEventWritesForTest).
	eventFault error
}

var _ store.Store = (*Store)(nil)

// migration upgrades the file by one schema version inside tx.
type migration func(tx *bolt.Tx) error

// migrations is the ordered schema history: migrations[i] upgrades a file
// from version i to version i+1. Append only; never reorder or edit.
var migrations = []migration{
	// v1: the initial buckets.
	func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketEvents, bucketEntries, bucketRequests, bucketWatch} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return fmt.Errorf("create bucket %s: %w", b, err)
			}
		}
		return nil
	},
}

// SchemaVersion is the schema version this package writes.
func SchemaVersion() int { return len(migrations) }

// Open opens (creating if needed) the store file at path and migrates it to
// the current schema. It fails after about a second if another process holds
// the file, and with a clear error if the file is not a bbolt database.
func Open(path string, opts Options) (s *Store, err error) {
	if path == "" {
		return nil, fmt.Errorf("open store: empty path: %w", store.ErrInvalid)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	// bbolt may panic on some malformed files; turn that into an error.
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("open store %s: %w: %v", path, ErrCorrupt, r)
		}
	}()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: openTimeout, MaxSize: opts.maxFileSize})
	if err != nil {
		switch {
		case errors.Is(err, bolterrors.ErrTimeout):
			return nil, fmt.Errorf("open store %s: %w (is another vigil-proxy running?): %w", path, ErrLocked, err)
		case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrChecksum), errors.Is(err, bolterrors.ErrVersionMismatch):
			return nil, fmt.Errorf("open store %s: %w: %w", path, ErrCorrupt, err)
		}
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if opts.MaxWatchEntries <= 0 {
		opts.MaxWatchEntries = DefaultMaxWatchEntries
	}
	s = &Store{db: db, now: opts.Now, log: opts.Logger, scanLimit: maxEventScan, maxWatch: opts.MaxWatchEntries}
	if err := s.migrate(); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return s, nil
}

// migrate brings the file to SchemaVersion.
func (s *Store) migrate() error {
	return s.write(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return fmt.Errorf("create meta bucket: %w", err)
		}
		version := 0
		if raw := meta.Get(keySchemaVersion); raw != nil {
			if len(raw) != 8 {
				return fmt.Errorf("schema version: malformed value (%d bytes)", len(raw))
			}
			v := binary.BigEndian.Uint64(raw)
			if v > uint64(len(migrations)) {
				return fmt.Errorf("schema version %d is newer than this release supports (%d)", v, len(migrations))
			}
			version = int(v)
		}
		for v := version; v < len(migrations); v++ {
			if err := migrations[v](tx); err != nil {
				return fmt.Errorf("migrate schema to v%d: %w", v+1, err)
			}
			s.log.Info("store schema migrated", "version", v+1)
		}
		var buf [8]byte
		binary.BigEndian.PutUint64(buf[:], uint64(len(migrations)))
		if err := meta.Put(keySchemaVersion, buf[:]); err != nil {
			return fmt.Errorf("write schema version: %w", err)
		}
		return nil
	})
}

// Close closes the file.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// bucket returns a bucket that migrate guarantees to exist.
func bucket(tx *bolt.Tx, name []byte) (*bolt.Bucket, error) {
	b := tx.Bucket(name)
	if b == nil {
		return nil, fmt.Errorf("bucket %s missing: store file not migrated", name)
	}
	return b, nil
}

// getJSON decodes the value at key into v; found is false when absent.
func getJSON(b *bolt.Bucket, key []byte, v any) (found bool, err error) {
	raw := b.Get(key)
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, fmt.Errorf("decode %s: %w", key, err)
	}
	return true, nil
}

// putJSON encodes v and stores it at key.
func putJSON(b *bolt.Bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	if err := b.Put(key, raw); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// errCorrupt marks a panic raised by bbolt on a damaged file.
var errCorrupt = errors.New("store file corrupt")

// read runs fn in a read transaction. bbolt panics on some kinds of page
// damage; read turns that into an error instead of crashing the process.
func (s *Store) read(fn func(tx *bolt.Tx) error) (err error) {
	defer s.recoverCorrupt(&err)
	return s.db.View(fn)
}

// write runs fn in a write transaction, recovering as read does. bbolt
// rolls the transaction back while the panic unwinds.
func (s *Store) write(fn func(tx *bolt.Tx) error) (err error) {
	defer s.recoverCorrupt(&err)
	return s.db.Update(fn)
}

func (s *Store) recoverCorrupt(err *error) {
	if r := recover(); r != nil {
		s.log.Error("store file corrupt", "panic", fmt.Sprint(r))
		*err = fmt.Errorf("%w (restore from backup or run bbolt check): %v", errCorrupt, r)
	}
}

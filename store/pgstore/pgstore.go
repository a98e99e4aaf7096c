// Package pgstore implements store.Store, and the state replicas share
// (store.SessionStore, store.LoginLimitStore, store.ChangeNotifier), on
// PostgreSQL with github.com/jackc/pgx/v5.
//
// Several vigil-proxy processes may use one database at once. Event IDs are
// 32 hex characters like boltstore's: 8 bytes of event time (Unix
// nanoseconds, sign bit flipped) and 8 bytes from a database sequence, so
// they are unique across replicas and ordered like event times. Writes to
// allow and deny entries send a NOTIFY on channel "vigil_changes" in the
// same transaction; WatchChanges listens for it. The malware feed replicas
// share (store.MalwareFeedStore) is in malware.go: a sync lock, published
// generations of content-addressed files, and their own NOTIFY channel.
//
// Open applies the numbered migrations (migrations.go) under a PostgreSQL
// advisory lock, so replicas starting together migrate once.
package pgstore

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/vigil-proxy/vigil-proxy/store"
)

// defaultConnectTimeout bounds a connection attempt when the URL sets no
// connect_timeout.
const defaultConnectTimeout = 5 * time.Second

// DefaultMaxWatchEntries is the default watchlist bound.
const DefaultMaxWatchEntries = 100_000

// defaultMaxConns bounds the pool when Options.MaxConns is zero.
const defaultMaxConns = 10

// changeChannel is the NOTIFY channel for list changes.
const changeChannel = "vigil_changes"

// Options configure a Store.
type Options struct {
	// URL is a postgres:// connection URL (or key=value DSN). TLS is set
	// with its sslmode and sslrootcert parameters.
	URL string
	// Password, when not empty, replaces the URL's password.
	Password string
	// Replica names this process in the events it records (Event.Replica
	// when the caller left it empty).
	Replica string
	// MaxConns bounds the connection pool (default 10).
	MaxConns int32
	// MaxWatchEntries bounds the watchlist (DefaultMaxWatchEntries when
	// zero): a new name beyond it evicts the least-requested, oldest
	// entries, as boltstore does.
	MaxWatchEntries int
	// Now is the clock used for IDs and default timestamps (time.Now when nil).
	Now func() time.Time
	// Logger receives operational messages (discarded when nil).
	Logger *slog.Logger
}

// Store is a store.Store backed by PostgreSQL. It is safe for concurrent use.
type Store struct {
	pool     *pgxpool.Pool
	cfg      *pgxpool.Config
	replica  string
	maxWatch int
	now      func() time.Time
	log      *slog.Logger
}

var (
	_ store.Store           = (*Store)(nil)
	_ store.SessionStore    = (*Store)(nil)
	_ store.LoginLimitStore = (*Store)(nil)
	_ store.ChangeNotifier  = (*Store)(nil)
)

// Open connects, migrates the schema and returns the store. Errors never
// contain the password.
func Open(ctx context.Context, opts Options) (*Store, error) {
	return open(ctx, opts, migrations)
}

// open is Open migrating with ms.
func open(ctx context.Context, opts Options, ms []migration) (*Store, error) {
	cfg, err := ParseConfig(opts.URL, opts.Password)
	if err != nil {
		return nil, err
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = defaultMaxConns
	}
	cfg.MaxConns = opts.MaxConns
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxWatchEntries <= 0 {
		opts.MaxWatchEntries = DefaultMaxWatchEntries
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", describe(cfg), err)
	}
	s := &Store{pool: pool, cfg: cfg, replica: opts.Replica, maxWatch: opts.MaxWatchEntries, now: opts.Now, log: opts.Logger}
	if err := s.migrate(ctx, ms); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open store %s: %w", describe(cfg), err)
	}
	return s, nil
}

// ParseConfig parses a connection URL and applies password when not empty.
// Its errors never contain the password.
func ParseConfig(rawURL, password string) (*pgxpool.Config, error) {
	if strings.TrimSpace(rawURL) == "" {
		return nil, fmt.Errorf("store URL is empty: %w", store.ErrInvalid)
	}
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("store URL: %s: %w", parseProblem(err, rawURL, password), store.ErrInvalid)
	}
	if password != "" {
		cfg.ConnConfig.Password = password
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// An unreachable database must not hold requests for the kernel's
		// TCP timeout; connect_timeout in the URL overrides this.
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "vigil-proxy"
	return cfg, nil
}

// parseProblem is what pgx said of a URL it could not parse, without the
// URL itself (pgx quotes it: "cannot parse `postgres://…`: failed to
// configure TLS (unable to read CA file: open /etc/ca.pem: no such file or
// directory)"), naming the TLS files the URL gives when the reason is
// about them, and never containing the password.
func parseProblem(err error, rawURL, password string) string {
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "cannot parse `"); ok {
		if i := strings.Index(rest, "`: "); i >= 0 {
			msg = rest[i+3:]
		}
	}
	secrets := []string{password}
	if u, perr := url.Parse(rawURL); perr == nil {
		if pw, ok := u.User.Password(); ok {
			secrets = append(secrets, pw)
		}
		var files []string
		for _, p := range []string{"sslrootcert", "sslcert", "sslkey"} {
			if f := u.Query().Get(p); f != "" && strings.Contains(msg, "TLS") && !strings.Contains(msg, f) {
				files = append(files, p+"="+f)
			}
		}
		if len(files) > 0 {
			msg += " [" + strings.Join(files, ", ") + "]"
		}
	}
	for _, secret := range secrets {
		if secret != "" {
			msg = strings.ReplaceAll(msg, secret, "REDACTED")
		}
	}
	return msg
}

// describe names the database for messages, without credentials.
func describe(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	return fmt.Sprintf("postgres://%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
}

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping store: %w", err)
	}
	return nil
}

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

// text makes s storable in a text column: PostgreSQL text holds neither NUL
// nor invalid UTF-8. The JSON document keeps the exact value; columns are
// for filtering.
func text(s string) string {
	if strings.IndexByte(s, 0) < 0 && utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}

// validKey reports whether a caller-supplied ID can be stored at all; IDs
// that cannot are simply not found.
func validKey(id string) bool {
	return id != "" && len(id) <= 256 && strings.IndexByte(id, 0) < 0 && utf8.ValidString(id)
}

// Package metacache is the tiered upstream-metadata cache: a ristretto L1 of
// parsed entries over a disposable bbolt L2 of raw bodies with their ETags
// and fetch times, with one shared (singleflight) upstream fetch per key,
// ETag revalidation, negative caching of names upstream does not have, and
// stale-if-error.
//
// Freshness uses the injected clock: an entry is fresh for TTL after its last
// successful fetch or revalidation; a remembered not-found for NegativeTTL.
// When a refresh fails for any reason other than not-found, a copy younger
// than TTL+Grace is served with Entry.Stale set; older copies are never
// served and the error is returned (fail closed).
package metacache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/ristretto/v2"
	bolt "go.etcd.io/bbolt"
	"golang.org/x/sync/singleflight"
)

// Defaults applied by Open to zero-valued Options fields.
const (
	DefaultTTL           = 5 * time.Minute
	DefaultNegativeTTL   = time.Minute
	DefaultGrace         = 24 * time.Hour
	DefaultFetchTimeout  = 60 * time.Second
	DefaultMaxCost       = 256 << 20
	DefaultPruneInterval = time.Hour
)

// itemOverhead is added to len(Body) as an entry's L1 cost, so empty bodies
// and not-found markers still count.
const itemOverhead = 256

// maxKeyLen is bbolt's key size limit.
const maxKeyLen = bolt.MaxKeySize

// Options configures a Cache. Zero values select the documented defaults.
type Options struct {
	// Path is the bbolt file (required). It is a disposable cache, separate
	// from the store; an unreadable file is recreated.
	Path string
	// TTL is how long a fetched document is fresh (default 5m).
	TTL time.Duration
	// NegativeTTL is how long an upstream not-found is remembered (default
	// 1m), so a name published later is seen soon.
	NegativeTTL time.Duration
	// Grace is how long after expiry a copy may still be served when upstream
	// fails (stale-if-error; default 24h, negative disables).
	Grace time.Duration
	// FetchTimeout bounds a shared fetch, which is detached from the callers'
	// contexts (default 60s).
	FetchTimeout time.Duration
	// MaxCost is the L1 budget in bytes of raw body (default 256 MiB).
	MaxCost int64
	// PruneInterval is how often Run deletes unservable L2 records
	// (default 1h).
	PruneInterval time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives warnings (stale copies served, cache write failures);
	// nil discards.
	Logger *slog.Logger
}

// Fetched is what a FetchFunc returns.
type Fetched struct {
	// Body is the full document; ignored when NotModified.
	Body []byte
	// ETag is the validator to send on the next revalidation.
	ETag string
	// NotModified reports that the document matching the given etag is
	// unchanged.
	NotModified bool
}

// FetchFunc fetches key's document from upstream, revalidating with etag when
// it is not empty. A missing name must be reported with an error wrapping
// policy.ErrNotFound.
type FetchFunc func(ctx context.Context, etag string) (Fetched, error)

// ParseFunc turns a raw body into the value cached in L1. An error on a freshly
// fetched body counts as an upstream failure: the body is not stored and
// stale-if-error applies.
type ParseFunc func(body []byte) (any, error)

// Entry is a cached document. Entries are shared between callers: treat them
// (and Body and Value) as read-only.
type Entry struct {
	Body    []byte
	ETag    string
	Fetched time.Time // last successful fetch or revalidation
	Value   any       // ParseFunc's result
	Stale   bool      // served past TTL because upstream failed
}

// Stats are cumulative counters since Open.
type Stats struct {
	Hits        uint64 // Gets answered from a fresh L1 copy (including remembered not-found)
	Misses      uint64 // Gets that started or joined a shared refresh
	L2Hits      uint64 // shared refreshes answered from a fresh L2 record without fetching (one that finds the copy an earlier refresh just put in L1 counts neither here nor as a fetch)
	Fetches     uint64 // FetchFunc calls
	NotModified uint64 // fetches answered "not modified"
	StaleServed uint64 // Gets answered with a stale copy
	Errors      uint64 // fetches that failed (upstream error or unparseable body; not not-found)
}

// item is an L1 value: a positive entry, or a not-found marker (entry nil).
type item struct {
	entry   *Entry
	fetched time.Time
}

// Cache is the tiered metadata cache. It is safe for concurrent use.
type Cache struct {
	opts  Options
	log   *slog.Logger
	db    *bolt.DB
	l1    *ristretto.Cache[string, *item]
	group singleflight.Group
	wb    *writeBehind // L2 writes of refreshes, applied in the background

	// mu guards closed; L1/L2 operations hold it shared so Close never
	// races an in-flight fetch's write.
	mu     sync.RWMutex
	closed bool

	hits, misses, l2Hits, fetches, notModified, staleServed, errs atomic.Uint64
}

// errClosed is returned by operations on a closed Cache.
var errClosed = errors.New("metadata cache closed")

// Open opens (creating if needed) the cache file at opts.Path and starts L1.
func Open(opts Options) (*Cache, error) {
	if opts.Path == "" {
		return nil, errors.New("open metadata cache: empty path")
	}
	if opts.TTL <= 0 {
		opts.TTL = DefaultTTL
	}
	if opts.NegativeTTL <= 0 {
		opts.NegativeTTL = DefaultNegativeTTL
	}
	if opts.Grace < 0 {
		opts.Grace = 0
	} else if opts.Grace == 0 {
		opts.Grace = DefaultGrace
	}
	if opts.FetchTimeout <= 0 {
		opts.FetchTimeout = DefaultFetchTimeout
	}
	if opts.MaxCost <= 0 {
		opts.MaxCost = DefaultMaxCost
	}
	if opts.PruneInterval <= 0 {
		opts.PruneInterval = DefaultPruneInterval
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	db, err := openBolt(opts.Path, time.Second, log)
	if err != nil {
		return nil, err
	}
	// About ten counters per expected item, assuming ~2 KiB per document.
	counters := min(max(opts.MaxCost/2048*10, 10_000), 10_000_000)
	l1, err := ristretto.NewCache(&ristretto.Config[string, *item]{
		NumCounters:        counters,
		MaxCost:            opts.MaxCost,
		BufferItems:        64,
		IgnoreInternalCost: true,
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open metadata cache L1: %w", err)
	}
	c := &Cache{opts: opts, log: log, db: db, l1: l1, wb: newWriteBehind()}
	go c.runWriteBehind()
	return c, nil
}

// Close applies the queued L2 writes, stops L1 and closes the bbolt file.
// Fetches still in flight finish but their results are no longer cached.
func (c *Cache) Close() error {
	c.stopWriteBehind()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	c.l1.Close()
	if err := c.db.Close(); err != nil {
		return fmt.Errorf("close metadata cache: %w", err)
	}
	return nil
}

// withOpen runs f unless the cache is closed.
func (c *Cache) withOpen(f func() error) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return errClosed
	}
	return f()
}

// Stats returns a snapshot of the counters.
func (c *Cache) Stats() Stats {
	return Stats{
		Hits:        c.hits.Load(),
		Misses:      c.misses.Load(),
		L2Hits:      c.l2Hits.Load(),
		Fetches:     c.fetches.Load(),
		NotModified: c.notModified.Load(),
		StaleServed: c.staleServed.Load(),
		Errors:      c.errs.Load(),
	}
}

// Invalidate drops key from both tiers so the next Get fetches it.
func (c *Cache) Invalidate(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("invalidate %s: %w", key, err)
	}
	c.group.Forget(key)
	err := c.withOpen(func() error {
		c.l1.Wait() // apply buffered sets first so none resurrects key
		c.l1.Del(key)
		return nil
	})
	if err != nil {
		return fmt.Errorf("invalidate %s: %w", key, err)
	}
	c.flushL2() // a queued write of key must not land after the delete
	return c.l2Delete(key)
}

// Run prunes unservable L2 records every PruneInterval until ctx is done.
// It returns nil on cancellation.
func (c *Cache) Run(ctx context.Context) error {
	t := time.NewTicker(c.opts.PruneInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			n, err := c.Prune(ctx)
			if errors.Is(err, errClosed) {
				return nil
			}
			if err != nil {
				c.log.WarnContext(ctx, "metadata cache prune failed", "error", err)
				continue
			}
			c.log.DebugContext(ctx, "metadata cache pruned", "records", n)
		}
	}
}

// Prune deletes L2 records that can no longer be served and returns how many.
func (c *Cache) Prune(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("prune metadata cache: %w", err)
	}
	c.flushL2()
	return c.l2Prune(c.opts.Now())
}

// TTL is how long a fetched document stays fresh: a value derived from an
// Entry is current until Entry.Fetched plus TTL.
func (c *Cache) TTL() time.Duration { return c.opts.TTL }

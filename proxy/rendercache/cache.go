// Package rendercache keeps the proxy's final, filtered metadata responses
// (npm packuments, PyPI simple pages and JSON documents): the bytes, their
// ETag and a precompressed gzip copy, so that a warm request is a lookup and
// a write. Entries carry the instant they stop being valid and the
// generation they were made in; Bump starts a new generation, which makes
// every older entry invalid at once (a list, approval, malware-feed or
// watchlist change, here or on another replica).
//
// Memory is bounded by a ristretto cache whose cost is the entry's bytes.
// Representations larger than Options.MaxEntryMemory are written to files
// in Options.Dir (the disk tier, bounded by Options.MaxDisk) and served from
// there; without a Dir they are not kept.
package rendercache

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/ristretto/v2"
)

// Defaults applied by Open to zero-valued Options fields.
const (
	DefaultMaxMemory = 128 << 20
	DefaultMaxDisk   = 1 << 30
	// DefaultMaxEntryMemory bounds one entry kept in memory (identity and
	// gzip copy each): larger documents go to the disk tier, so one huge
	// packument neither crowds out thousands of ordinary ones nor adds its
	// size to the heap.
	DefaultMaxEntryMemory = 8 << 20
)

// entryOverhead is added to every entry's cost (headers, keys, bookkeeping).
const entryOverhead = 512

// Options configures a Cache.
type Options struct {
	// MaxMemory is the budget of in-memory entries in bytes (default 128 MiB).
	MaxMemory int64
	// MaxEntryMemory is the largest body (identity or gzip) kept in memory
	// (default 8 MiB, at most MaxMemory/4).
	MaxEntryMemory int64
	// Dir is the disk tier's directory, emptied by Open and Close: entries
	// never outlive the process (a restart may bring a new configuration).
	// Empty keeps no larger entries.
	Dir string
	// MaxDisk is the disk tier's budget in bytes (default 1 GiB).
	MaxDisk int64
	Logger  *slog.Logger
}

// Stats are cumulative counters since Open.
type Stats struct {
	Hits      uint64 // Get found a valid entry
	Misses    uint64 // Get found none, or only an invalid one
	Stored    uint64 // entries Put
	Bumps     uint64 // generations started
	DiskBytes int64  // bytes in the disk tier now
}

// Cache is the rendered-response cache. It is safe for concurrent use.
type Cache struct {
	opts Options
	log  *slog.Logger
	mem  *ristretto.Cache[string, *Entry]
	disk *ristretto.Cache[string, *Entry]
	gen  atomic.Uint64

	hits, misses, stored, bumps atomic.Uint64
	diskBytes                   atomic.Int64
}

// Open builds a cache and empties (creating if needed) its disk tier.
func Open(opts Options) (*Cache, error) {
	if opts.MaxMemory <= 0 {
		opts.MaxMemory = DefaultMaxMemory
	}
	if opts.MaxEntryMemory <= 0 {
		opts.MaxEntryMemory = DefaultMaxEntryMemory
	}
	opts.MaxEntryMemory = min(opts.MaxEntryMemory, max(opts.MaxMemory/4, 1))
	if opts.MaxDisk <= 0 {
		opts.MaxDisk = DefaultMaxDisk
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Cache{opts: opts, log: opts.Logger}
	if opts.Dir != "" {
		if err := resetDir(opts.Dir); err != nil {
			return nil, err
		}
	}
	var err error
	// About ten counters per expected entry, assuming ~16 KiB per document.
	c.mem, err = ristretto.NewCache(&ristretto.Config[string, *Entry]{
		NumCounters:        min(max(opts.MaxMemory/16384*10, 10_000), 10_000_000),
		MaxCost:            opts.MaxMemory,
		BufferItems:        64,
		IgnoreInternalCost: true,
	})
	if err != nil {
		return nil, fmt.Errorf("open rendered cache: %w", err)
	}
	c.disk, err = ristretto.NewCache(&ristretto.Config[string, *Entry]{
		NumCounters:        10_000,
		MaxCost:            opts.MaxDisk,
		BufferItems:        64,
		IgnoreInternalCost: true,
		OnExit:             c.removeFiles,
	})
	if err != nil {
		c.mem.Close()
		return nil, fmt.Errorf("open rendered cache disk tier: %w", err)
	}
	return c, nil
}

// resetDir creates dir and removes the files a previous process left.
func resetDir(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("rendered cache directory: %w", err)
	}
	old, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("rendered cache directory: %w", err)
	}
	for _, f := range old {
		if strings.HasPrefix(f.Name(), filePrefix) {
			if err := os.Remove(filepath.Join(dir, f.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("rendered cache directory: %w", err)
			}
		}
	}
	return nil
}

// Close drops every entry and removes the disk tier's files.
func (c *Cache) Close() error {
	c.mem.Close()
	c.disk.Clear()
	c.disk.Close()
	if c.opts.Dir != "" {
		return resetDir(c.opts.Dir)
	}
	return nil
}

// Generation is the current generation; an entry made from judgements that
// started in an older one is never served.
func (c *Cache) Generation() uint64 { return c.gen.Load() }

// Bump starts a new generation: every entry made before is invalid.
func (c *Cache) Bump() {
	c.gen.Add(1)
	c.bumps.Add(1)
}

// Get returns key's entry when it is valid at now: made in the current
// generation and not expired.
func (c *Cache) Get(key string, now time.Time) (*Entry, bool) {
	e, ok := c.mem.Get(key)
	if !ok {
		e, ok = c.disk.Get(key)
	}
	if !ok || e.gen != c.gen.Load() || !now.Before(e.expires) {
		c.misses.Add(1)
		return nil, false
	}
	c.hits.Add(1)
	return e, true
}

// Put keeps e under key when it was made in the current generation (gen,
// read before judging began), is still valid at now, and fits: in memory
// when it was built there, in the disk tier when it was spilled to files
// in Dir. It reports whether e was kept; an entry not kept is the caller's
// to Discard.
func (c *Cache) Put(key string, e *Entry, gen uint64, now time.Time, expires time.Time) bool {
	if gen != c.gen.Load() || !now.Before(expires) || !e.keepable {
		return false
	}
	e.gen, e.expires = gen, expires
	ttl := expires.Sub(now)
	if e.onDisk() {
		if e.dir != c.opts.Dir {
			return false
		}
		c.mem.Del(key)
		e.counted = &c.diskBytes
		c.diskBytes.Add(e.size + e.gzSize)
		if !c.disk.SetWithTTL(key, e, e.size+e.gzSize, ttl) {
			c.diskBytes.Add(-(e.size + e.gzSize))
			e.counted = nil
			return false
		}
		c.disk.Wait()
	} else {
		c.disk.Del(key)
		if !c.mem.SetWithTTL(key, e, int64(len(e.body)+len(e.gz))+e.extraCost+entryOverhead, ttl) {
			return false
		}
		c.mem.Wait()
	}
	c.stored.Add(1)
	return true
}

// Delete drops key's entry (both tiers).
func (c *Cache) Delete(key string) {
	c.mem.Del(key)
	c.disk.Del(key)
}

// Stats returns a snapshot of the counters.
func (c *Cache) Stats() Stats {
	return Stats{Hits: c.hits.Load(), Misses: c.misses.Load(), Stored: c.stored.Load(),
		Bumps: c.bumps.Load(), DiskBytes: c.diskBytes.Load()}
}

// MaxEntryMemory is the largest body kept in memory.
func (c *Cache) MaxEntryMemory() int64 { return c.opts.MaxEntryMemory }

// Dir is the disk tier's directory ("" without one).
func (c *Cache) Dir() string { return c.opts.Dir }

// removeFiles deletes a disk entry's files when it leaves the cache. A
// request still sending them keeps its open descriptors.
func (c *Cache) removeFiles(e *Entry) {
	if e == nil {
		return
	}
	if e.counted != nil {
		e.counted.Add(-(e.size + e.gzSize))
		e.counted = nil
	}
	e.Discard()
}

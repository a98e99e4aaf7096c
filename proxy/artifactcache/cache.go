// Package artifactcache keeps verified package files (npm tarballs, PyPI
// wheels and sdists) on disk, content-addressed by the digest their
// registry declared. A file is stored only after its bytes hashed to that
// digest, written to a temporary file and renamed into place, so a reader
// never sees a partial or unverified file. The store is bounded by a byte
// budget with least-recently-used eviction; every read checks the size, and
// Scrub re-hashes every file and discards the ones that no longer match.
package artifactcache

import (
	"bytes"
	"container/list"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// ErrNotFound is returned by Open for a file that is not cached (or was
// discarded because it failed its size check).
var ErrNotFound = errors.New("artifact not cached")

// Key names a file by the digest its registry declared for it.
type Key struct {
	// Algorithm is "sha256", "sha384" or "sha512". SHA-1 is not accepted:
	// a collision would let one cached file stand for another.
	Algorithm string
	Digest    []byte
}

// NewKey validates algorithm and digest length.
func NewKey(algorithm string, digest []byte) (Key, error) {
	h := newHash(algorithm)
	if h == nil {
		return Key{}, fmt.Errorf("artifact cache key: unsupported algorithm %q", algorithm)
	}
	if len(digest) != h.Size() {
		return Key{}, fmt.Errorf("artifact cache key: %s digest has %d bytes, want %d", algorithm, len(digest), h.Size())
	}
	return Key{Algorithm: algorithm, Digest: append([]byte(nil), digest...)}, nil
}

// String is the key's file name: "<algorithm>-<hex digest>".
func (k Key) String() string { return k.Algorithm + "-" + hex.EncodeToString(k.Digest) }

// parseName is the inverse of String.
func parseName(name string) (Key, bool) {
	alg, hx, ok := strings.Cut(name, "-")
	if !ok {
		return Key{}, false
	}
	sum, err := hex.DecodeString(hx)
	if err != nil {
		return Key{}, false
	}
	k, err := NewKey(alg, sum)
	return k, err == nil
}

func newHash(alg string) hash.Hash {
	switch alg {
	case "sha256":
		return sha256.New()
	case "sha384":
		return sha512.New384()
	case "sha512":
		return sha512.New()
	}
	return nil
}

// Entry is an open cached file. Close it when done.
type Entry struct {
	File    *os.File
	Size    int64
	ModTime time.Time
}

// Close closes the file.
func (e *Entry) Close() error { return e.File.Close() }

// Writer receives a file's bytes. Commit stores it if the bytes hash to
// the key; Abort (or a failed Commit) leaves nothing behind.
type Writer interface {
	io.Writer
	Commit() error
	Abort()
}

// Store is what the proxy needs from an artifact cache; Disk is the local
// implementation (a shared-storage backend can satisfy the same interface).
type Store interface {
	Open(ctx context.Context, key Key) (*Entry, error)
	Create(ctx context.Context, key Key) (Writer, error)
	// Remove deletes the file for key and reports whether there was one.
	Remove(ctx context.Context, key Key) (bool, error)
}

// Stats are cumulative counters since Open.
type Stats struct {
	Hits, Misses, Evictions, Discarded uint64
	// Bytes is the size of all cached files now; Files how many.
	Bytes int64
	Files int
}

// Options configures a Disk cache.
type Options struct {
	// Dir holds the files (created if missing).
	Dir string
	// MaxBytes is the byte budget; must be positive.
	MaxBytes int64
	Logger   *slog.Logger
}

// Disk is a content-addressed file cache in one directory.
type Disk struct {
	dir string
	max int64
	log *slog.Logger

	mu    sync.Mutex
	lru   *list.List // front = most recently used; values are *item
	items map[string]*list.Element
	bytes int64
	stats Stats
}

type item struct {
	name string
	size int64
}

const tmpPrefix = ".tmp-"

// Open opens (or creates) the cache directory, removes temporary files a
// crash left behind, and indexes the files present, oldest first by
// modification time.
func Open(opts Options) (*Disk, error) {
	if opts.Dir == "" {
		return nil, errors.New("artifact cache: Dir is required")
	}
	if opts.MaxBytes <= 0 {
		return nil, fmt.Errorf("artifact cache: MaxBytes must be positive, got %d", opts.MaxBytes)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(opts.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("artifact cache: create %s: %w", opts.Dir, err)
	}
	d := &Disk{dir: opts.Dir, max: opts.MaxBytes, log: opts.Logger, lru: list.New(), items: map[string]*list.Element{}}
	des, err := os.ReadDir(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("artifact cache: read %s: %w", opts.Dir, err)
	}
	type found struct {
		name string
		size int64
		mod  time.Time
	}
	var files []found
	for _, de := range des {
		name := de.Name()
		full := filepath.Join(opts.Dir, name)
		if strings.HasPrefix(name, tmpPrefix) {
			_ = os.Remove(full)
			continue
		}
		if _, ok := parseName(name); !ok || !de.Type().IsRegular() {
			continue
		}
		fi, err := de.Info()
		if err != nil {
			continue
		}
		files = append(files, found{name, fi.Size(), fi.ModTime()})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].mod.Before(files[j].mod) })
	for _, f := range files {
		d.items[f.name] = d.lru.PushFront(&item{name: f.name, size: f.size})
		d.bytes += f.size
	}
	d.mu.Lock()
	d.evictLocked()
	d.mu.Unlock()
	return d, nil
}

// Open returns the cached file for key, or ErrNotFound. A file whose size
// differs from the one it was stored with is discarded and reported as
// not found, so it is fetched again rather than served.
func (d *Disk) Open(_ context.Context, key Key) (*Entry, error) {
	name := key.String()
	d.mu.Lock()
	el, ok := d.items[name]
	var want int64
	if ok {
		want = el.Value.(*item).size
		d.lru.MoveToFront(el)
	}
	d.mu.Unlock()
	if !ok {
		d.count(func(s *Stats) { s.Misses++ })
		return nil, ErrNotFound
	}
	f, err := os.Open(filepath.Join(d.dir, name))
	if err != nil {
		d.discard(name, "open failed: "+err.Error())
		d.count(func(s *Stats) { s.Misses++ })
		return nil, ErrNotFound
	}
	fi, err := f.Stat()
	if err != nil || fi.Size() != want {
		f.Close()
		got := int64(-1)
		if fi != nil {
			got = fi.Size()
		}
		d.discard(name, fmt.Sprintf("size %d, stored with %d", got, want))
		d.count(func(s *Stats) { s.Misses++ })
		return nil, ErrNotFound
	}
	d.count(func(s *Stats) { s.Hits++ })
	return &Entry{File: f, Size: fi.Size(), ModTime: fi.ModTime()}, nil
}

// Create starts storing a file under key.
func (d *Disk) Create(_ context.Context, key Key) (Writer, error) {
	h := newHash(key.Algorithm)
	if h == nil {
		return nil, fmt.Errorf("artifact cache: unsupported algorithm %q", key.Algorithm)
	}
	f, err := os.CreateTemp(d.dir, tmpPrefix+"*")
	if err != nil {
		return nil, fmt.Errorf("artifact cache: create temporary file: %w", err)
	}
	return &diskWriter{d: d, key: key, f: f, h: h}, nil
}

type diskWriter struct {
	d    *Disk
	key  Key
	f    *os.File
	h    hash.Hash
	n    int64
	err  error
	done bool
}

func (w *diskWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.n+int64(len(p)) > w.d.max {
		w.err = fmt.Errorf("artifact cache: file larger than the cache budget (%d bytes)", w.d.max)
		return 0, w.err
	}
	n, err := w.f.Write(p)
	w.h.Write(p[:n])
	w.n += int64(n)
	if err != nil {
		w.err = fmt.Errorf("artifact cache: write: %w", err)
	}
	return n, w.err
}

// Commit checks the digest of everything written and, if it matches the
// key, renames the file into place and evicts older files over budget.
func (w *diskWriter) Commit() error {
	if w.done {
		return errors.New("artifact cache: writer already finished")
	}
	w.done = true
	tmp := w.f.Name()
	fail := func(err error) error {
		w.f.Close()
		os.Remove(tmp)
		return err
	}
	if w.err != nil {
		return fail(w.err)
	}
	if got := w.h.Sum(nil); !bytes.Equal(got, w.key.Digest) {
		return fail(fmt.Errorf("artifact cache: %s of the written bytes is %x, key says %x", w.key.Algorithm, got, w.key.Digest))
	}
	if err := w.f.Sync(); err != nil {
		return fail(fmt.Errorf("artifact cache: sync: %w", err))
	}
	if err := w.f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("artifact cache: close: %w", err)
	}
	name := w.key.String()
	if err := os.Rename(tmp, filepath.Join(w.d.dir, name)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("artifact cache: rename into place: %w", err)
	}
	d := w.d
	d.mu.Lock()
	defer d.mu.Unlock()
	if el, ok := d.items[name]; ok {
		d.bytes -= el.Value.(*item).size
		d.lru.Remove(el)
	}
	d.items[name] = d.lru.PushFront(&item{name: name, size: w.n})
	d.bytes += w.n
	d.evictLocked()
	return nil
}

// Abort discards the temporary file.
func (w *diskWriter) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.f.Close()
	os.Remove(w.f.Name())
}

// evictLocked removes least recently used files until the cache fits its
// budget. d.mu must be held.
func (d *Disk) evictLocked() {
	for d.bytes > d.max {
		el := d.lru.Back()
		if el == nil {
			return
		}
		it := el.Value.(*item)
		d.lru.Remove(el)
		delete(d.items, it.name)
		d.bytes -= it.size
		d.stats.Evictions++
		if err := os.Remove(filepath.Join(d.dir, it.name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			d.log.Warn("artifact cache: evict", "file", it.name, "error", err)
		}
	}
}

// Remove deletes the file for key (an admin purge) and reports whether it
// was cached.
func (d *Disk) Remove(_ context.Context, key Key) (bool, error) {
	name := key.String()
	d.mu.Lock()
	el, ok := d.items[name]
	if ok {
		d.bytes -= el.Value.(*item).size
		d.lru.Remove(el)
		delete(d.items, name)
	}
	d.mu.Unlock()
	if !ok {
		return false, nil
	}
	if err := os.Remove(filepath.Join(d.dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return true, fmt.Errorf("artifact cache: remove %s: %w", name, err)
	}
	return true, nil
}

// discard removes a file that failed a check.
func (d *Disk) discard(name, why string) {
	d.log.Warn("artifact cache: discarded a corrupted file; it will be fetched again", "file", name, "reason", why)
	d.mu.Lock()
	if el, ok := d.items[name]; ok {
		d.bytes -= el.Value.(*item).size
		d.lru.Remove(el)
		delete(d.items, name)
	}
	d.stats.Discarded++
	d.mu.Unlock()
	if err := os.Remove(filepath.Join(d.dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		d.log.Warn("artifact cache: remove corrupted file", "file", name, "error", err)
	}
}

func (d *Disk) count(f func(*Stats)) {
	d.mu.Lock()
	f(&d.stats)
	d.mu.Unlock()
}

// Stats returns the counters and current size.
func (d *Disk) Stats() Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.stats
	s.Bytes = d.bytes
	s.Files = len(d.items)
	return s
}

// Scrub re-hashes every cached file and discards those whose bytes no
// longer match their name. It returns how many files it checked and
// discarded; it stops early when ctx ends.
func (d *Disk) Scrub(ctx context.Context) (checked, discarded int, err error) {
	d.mu.Lock()
	names := make([]string, 0, len(d.items))
	for n := range d.items {
		names = append(names, n)
	}
	d.mu.Unlock()
	sort.Strings(names)
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return checked, discarded, fmt.Errorf("artifact cache scrub: %w", err)
		}
		key, _ := parseName(name)
		ok, err := d.matches(key)
		if errors.Is(err, os.ErrNotExist) {
			continue // evicted meanwhile
		}
		checked++
		if err != nil || !ok {
			why := "content no longer matches its digest"
			if err != nil {
				why = err.Error()
			}
			d.discard(name, why)
			discarded++
		}
	}
	return checked, discarded, nil
}

func (d *Disk) matches(key Key) (bool, error) {
	f, err := os.Open(filepath.Join(d.dir, key.String()))
	if err != nil {
		return false, err
	}
	defer f.Close()
	h := newHash(key.Algorithm)
	if _, err := io.Copy(h, f); err != nil {
		return false, fmt.Errorf("read: %w", err)
	}
	return bytes.Equal(h.Sum(nil), key.Digest), nil
}

// RunScrub scrubs every interval until ctx ends, logging what it found.
func (d *Disk) RunScrub(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			checked, discarded, err := d.Scrub(ctx)
			if err != nil && ctx.Err() == nil {
				d.log.Warn("artifact cache scrub", "error", err)
			}
			d.log.Debug("artifact cache scrubbed", "checked", checked, "discarded", discarded)
		}
	}
}

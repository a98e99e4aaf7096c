package metacache

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// L2 layout: two buckets keyed by the cache key. metaBucket holds a small
// record (format version, kind, fetch time, ETag); bodyBucket holds the raw
// body of positive entries. Keeping them apart lets a 304 revalidation bump
// the fetch time without rewriting a 60 MB body. Buckets of other (older)
// layouts are dropped on open: the file is a disposable cache.
var (
	metaBucket = []byte("meta.v1")
	bodyBucket = []byte("body.v1")
)

const (
	recordVersion  = 1
	kindPositive   = 1
	kindNotFound   = 2
	kindBlob       = 3 // positive, body in a blob file beside the database
	recordHeadSize = 1 + 1 + 8
)

// blobThreshold is the body size from which bodies live in their own files:
// bbolt copies a value twice while writing it (node and page buffers), which
// for 60 MB npm documents would triple the memory a fetch needs.
const blobThreshold = 1 << 20

// record is one L2 entry.
type record struct {
	notFound bool
	fetched  time.Time
	etag     string
	body     []byte // positive entries only; nil when only the meta was read
	blob     bool   // the body is in a blob file
}

func encodeMeta(r record) []byte {
	b := make([]byte, recordHeadSize, recordHeadSize+len(r.etag))
	b[0] = recordVersion
	b[1] = kindPositive
	switch {
	case r.notFound:
		b[1] = kindNotFound
	case r.blob:
		b[1] = kindBlob
	}
	binary.BigEndian.PutUint64(b[2:], uint64(r.fetched.UnixNano()))
	return append(b, r.etag...)
}

func decodeMeta(b []byte) (record, error) {
	if len(b) < recordHeadSize || b[0] != recordVersion || (b[1] != kindPositive && b[1] != kindNotFound && b[1] != kindBlob) {
		return record{}, errors.New("malformed cache record")
	}
	return record{
		notFound: b[1] == kindNotFound,
		blob:     b[1] == kindBlob,
		fetched:  time.Unix(0, int64(binary.BigEndian.Uint64(b[2:]))),
		etag:     string(b[recordHeadSize:]),
	}, nil
}

// openBolt opens (or creates) the cache file. A file bbolt cannot read is
// removed and recreated, since it only holds cached copies; a file locked by
// another process fails after timeout.
func openBolt(path string, timeout time.Duration, log *slog.Logger) (*bolt.DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open metadata cache %s: %w", path, err)
	}
	opts := &bolt.Options{Timeout: timeout, NoFreelistSync: true, FreelistType: bolt.FreelistMapType}
	db, err := bolt.Open(path, 0o600, opts)
	if err != nil && (errors.Is(err, berrors.ErrInvalid) || errors.Is(err, berrors.ErrChecksum) || errors.Is(err, berrors.ErrVersionMismatch)) {
		log.Warn("metadata cache file unreadable, recreating", "path", path, "error", err)
		if rmErr := os.Remove(path); rmErr != nil {
			return nil, fmt.Errorf("open metadata cache %s: %w (remove: %w)", path, err, rmErr)
		}
		db, err = bolt.Open(path, 0o600, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("open metadata cache %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		var stale [][]byte
		err := tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			if string(name) != string(metaBucket) && string(name) != string(bodyBucket) {
				stale = append(stale, append([]byte(nil), name...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, name := range stale {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
		}
		for _, name := range [][]byte{metaBucket, bodyBucket} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("init metadata cache %s: %w", path, err)
	}
	return db, nil
}

// l2Get reads key's record; withBody also copies the body out of the
// transaction. ok is false when there is no (readable) record.
func (c *Cache) l2Get(key string, withBody bool) (rec record, ok bool, err error) {
	err = c.withOpen(func() error {
		return c.db.View(func(tx *bolt.Tx) error {
			m := tx.Bucket(metaBucket).Get([]byte(key))
			if m == nil {
				return nil
			}
			r, err := decodeMeta(m)
			if err != nil {
				return err
			}
			if withBody && r.blob {
				b, err := os.ReadFile(c.blobPath(key))
				if err != nil {
					return fmt.Errorf("cache blob: %w", err)
				}
				r.body = b
			} else if withBody && !r.notFound {
				b := tx.Bucket(bodyBucket).Get([]byte(key))
				if b == nil {
					return errors.New("cache record without body")
				}
				r.body = append(make([]byte, 0, len(b)), b...)
			}
			rec, ok = r, true
			return nil
		})
	})
	if err != nil {
		return record{}, false, fmt.Errorf("read cache %s: %w", key, err)
	}
	return rec, ok, nil
}

// l2Put stores rec under key; a not-found record drops any stored body.
// Bodies of blobThreshold bytes or more are written to a blob file first
// (atomically), then the record that points at it.
func (c *Cache) l2Put(key string, rec record) error {
	rec.blob = !rec.notFound && len(rec.body) >= blobThreshold
	err := c.withOpen(func() error {
		if rec.blob {
			if err := c.writeBlob(key, rec.body); err != nil {
				return err
			}
		}
		err := c.db.Update(func(tx *bolt.Tx) error {
			k := []byte(key)
			if err := tx.Bucket(metaBucket).Put(k, encodeMeta(rec)); err != nil {
				return err
			}
			if rec.notFound || rec.blob {
				return tx.Bucket(bodyBucket).Delete(k)
			}
			return tx.Bucket(bodyBucket).Put(k, rec.body)
		})
		if err == nil && !rec.blob {
			c.removeBlob(key)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("write cache %s: %w", key, err)
	}
	return nil
}

// l2Touch rewrites only the meta record (304 revalidation).
func (c *Cache) l2Touch(key string, rec record) error {
	err := c.withOpen(func() error {
		return c.db.Update(func(tx *bolt.Tx) error {
			return tx.Bucket(metaBucket).Put([]byte(key), encodeMeta(rec))
		})
	})
	if err != nil {
		return fmt.Errorf("write cache %s: %w", key, err)
	}
	return nil
}

// l2Delete removes key's record and body.
func (c *Cache) l2Delete(key string) error {
	err := c.withOpen(func() error {
		return c.db.Update(func(tx *bolt.Tx) error {
			k := []byte(key)
			if err := tx.Bucket(metaBucket).Delete(k); err != nil {
				return err
			}
			return tx.Bucket(bodyBucket).Delete(k)
		})
	})
	if err != nil {
		return fmt.Errorf("delete cache %s: %w", key, err)
	}
	c.removeBlob(key)
	return nil
}

// blobPath is the file holding key's large body.
func (c *Cache) blobPath(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(c.opts.Path+".blobs", hex.EncodeToString(sum[:]))
}

// writeBlob writes body to key's blob file via a temporary file and rename,
// so a reader never sees a partial body.
func (c *Cache) writeBlob(key string, body []byte) error {
	path := c.blobPath(key)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("cache blob directory: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("cache blob: %w", err)
	}
	_, werr := tmp.Write(body)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("cache blob: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("cache blob: %w", err)
	}
	return nil
}

// removeBlob deletes key's blob file if there is one.
func (c *Cache) removeBlob(key string) {
	if err := os.Remove(c.blobPath(key)); err != nil && !errors.Is(err, os.ErrNotExist) {
		c.log.Warn("remove cache blob", "key", key, "error", err)
	}
}

// l2Prune deletes records that can no longer be served: positive entries
// older than TTL+Grace, not-found entries older than NegativeTTL, and
// unreadable records.
func (c *Cache) l2Prune(now time.Time) (int, error) {
	n := 0
	var pruned []string
	err := c.withOpen(func() error {
		return c.db.Update(func(tx *bolt.Tx) error {
			pruned = pruned[:0]
			meta, body := tx.Bucket(metaBucket), tx.Bucket(bodyBucket)
			var dead [][]byte
			err := meta.ForEach(func(k, v []byte) error {
				r, err := decodeMeta(v)
				if err != nil ||
					(r.notFound && now.Sub(r.fetched) >= c.opts.NegativeTTL) ||
					(!r.notFound && now.Sub(r.fetched) >= c.opts.TTL+c.opts.Grace) {
					dead = append(dead, append([]byte(nil), k...))
				}
				return nil
			})
			if err != nil {
				return err
			}
			for _, k := range dead {
				pruned = append(pruned, string(k))
				if err := meta.Delete(k); err != nil {
					return err
				}
				if err := body.Delete(k); err != nil {
					return err
				}
			}
			n = len(dead)
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("prune metadata cache: %w", err)
	}
	for _, k := range pruned {
		c.removeBlob(k)
	}
	return n, nil
}

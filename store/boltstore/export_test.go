package boltstore

import (
	"encoding/binary"
	"time"

	bolt "go.etcd.io/bbolt"
)

// WriteSchemaVersionForTest creates a bbolt file at path whose meta bucket
// claims schema version v.
func WriteSchemaVersionForTest(path string, v uint64) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		var buf [8]byte
		binary.BigEndian.PutUint64(buf[:], v)
		return b.Put(keySchemaVersion, buf[:])
	})
}

// SetScanLimitForTest lowers the per-call scan bound of Events.
func (s *Store) SetScanLimitForTest(n int) { s.scanLimit = n }

// FailEventWritesForTest makes every later event write fail with err (nil:
// succeed again), as a full disk would fail the audit write of a change.
func (s *Store) FailEventWritesForTest(err error) { s.eventFault = err }

// WithMaxFileSizeForTest caps the store file at n bytes: a write that
// needs the file to grow fails, as on a full disk.
func WithMaxFileSizeForTest(o Options, n int) Options {
	o.maxFileSize = n
	return o
}

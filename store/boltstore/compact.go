package boltstore

import (
	"errors"
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// compactTxSize bounds one copy transaction of Compact.
const compactTxSize = 64 << 20

// Compact rewrites the store file at path without its free pages: a bbolt
// file never shrinks by itself when events are pruned. It must run while no
// process has the file open (it fails with ErrLocked otherwise). The copy
// is written beside the file and renamed over it only when complete, so an
// interrupted compaction leaves the original intact. It returns the file's
// size before and after.
func Compact(path string) (before, after int64, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, 0, fmt.Errorf("compact %s: %w", path, err)
	}
	src, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: openTimeout, ReadOnly: true})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return 0, 0, fmt.Errorf("compact %s: %w (stop vigil-proxy first)", path, ErrLocked)
		}
		return 0, 0, fmt.Errorf("compact %s: %w: %w", path, ErrCorrupt, err)
	}
	defer src.Close()
	tmp := path + ".compact"
	_ = os.Remove(tmp)
	dst, err := bolt.Open(tmp, fi.Mode().Perm(), &bolt.Options{Timeout: openTimeout})
	if err != nil {
		return 0, 0, fmt.Errorf("compact %s: create %s: %w", path, tmp, err)
	}
	if err := bolt.Compact(dst, src, compactTxSize); err != nil {
		dst.Close()
		os.Remove(tmp)
		return 0, 0, fmt.Errorf("compact %s: %w", path, err)
	}
	if err := dst.Close(); err != nil {
		os.Remove(tmp)
		return 0, 0, fmt.Errorf("compact %s: close copy: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return 0, 0, fmt.Errorf("compact %s: replace: %w", path, err)
	}
	nfi, err := os.Stat(path)
	if err != nil {
		return fi.Size(), 0, fmt.Errorf("compact %s: %w", path, err)
	}
	return fi.Size(), nfi.Size(), nil
}

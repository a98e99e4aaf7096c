package boltstore

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// newID returns 16 random hex characters.
func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error
	return hex.EncodeToString(b[:])
}

// PutEntry creates (empty ID) or replaces an entry, setting Source to
// store.SourceStore. A new entry gets a random
// ID and, when zero, Created; a replaced entry keeps its stored Created when
// the new value has none. Replacing an ID that does not exist is
// store.ErrNotFound. Entries failing policy.ValidateEntry (checked once
// Created is settled) are store.ErrInvalid.
func (s *Store) PutEntry(ctx context.Context, e policy.ListEntry) (policy.ListEntry, error) {
	if err := ctx.Err(); err != nil {
		return policy.ListEntry{}, fmt.Errorf("put entry: %w", err)
	}
	err := s.write(func(tx *bolt.Tx) error {
		var err error
		e, err = s.putEntry(tx, e)
		return err
	})
	if err != nil {
		return policy.ListEntry{}, fmt.Errorf("put entry: %w", err)
	}
	return e, nil
}

// putEntry is PutEntry inside tx.
func (s *Store) putEntry(tx *bolt.Tx, e policy.ListEntry) (policy.ListEntry, error) {
	e.Source = store.SourceStore
	b, err := bucket(tx, bucketEntries)
	if err != nil {
		return e, err
	}
	err = func() error {
		if e.ID == "" {
			e.ID = newID()
			for b.Get([]byte(e.ID)) != nil {
				e.ID = newID()
			}
			if e.Created.IsZero() {
				e.Created = s.now()
			}
		} else {
			var old policy.ListEntry
			found, err := getJSON(b, []byte(e.ID), &old)
			if err != nil {
				return err
			}
			if !found {
				return fmt.Errorf("entry %s: %w", e.ID, store.ErrNotFound)
			}
			if e.Created.IsZero() {
				e.Created = old.Created
			}
		}
		if err := validateEntry(e); err != nil {
			return err
		}
		return putJSON(b, []byte(e.ID), e)
	}()
	return e, err
}

// GetEntry returns the entry with that ID or store.ErrNotFound.
func (s *Store) GetEntry(ctx context.Context, id string) (policy.ListEntry, error) {
	var e policy.ListEntry
	err := s.view(ctx, bucketEntries, func(b *bolt.Bucket) error {
		var err error
		e, err = getEntry(b, id)
		return err
	})
	if err != nil {
		return policy.ListEntry{}, fmt.Errorf("get entry %s: %w", id, err)
	}
	return e, nil
}

// getEntry reads an entry from the entries bucket b.
func getEntry(b *bolt.Bucket, id string) (policy.ListEntry, error) {
	var e policy.ListEntry
	found, err := getJSON(b, []byte(id), &e)
	if err == nil && !found {
		err = store.ErrNotFound
	}
	return e, err
}

// DeleteEntry deletes the entry with that ID or returns store.ErrNotFound.
func (s *Store) DeleteEntry(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete entry %s: %w", id, err)
	}
	if err := s.write(func(tx *bolt.Tx) error { return deleteEntry(tx, id) }); err != nil {
		return fmt.Errorf("delete entry %s: %w", id, err)
	}
	return nil
}

// deleteEntry is DeleteEntry inside tx.
func deleteEntry(tx *bolt.Tx, id string) error {
	b, err := bucket(tx, bucketEntries)
	if err != nil {
		return err
	}
	if b.Get([]byte(id)) == nil {
		return store.ErrNotFound
	}
	return b.Delete([]byte(id))
}

// Entries returns every stored entry, expired ones included, ordered by
// Created then ID.
func (s *Store) Entries(ctx context.Context) ([]policy.ListEntry, error) {
	var out []policy.ListEntry
	err := s.view(ctx, bucketEntries, func(b *bolt.Bucket) error {
		return b.ForEach(func(k, _ []byte) error {
			var e policy.ListEntry
			if _, err := getJSON(b, k, &e); err != nil {
				return err
			}
			out = append(out, e)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list entries: %w", err)
	}
	slices.SortFunc(out, func(a, b policy.ListEntry) int {
		return cmp.Or(a.Created.Compare(b.Created), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// PutRequest creates (empty ID: random ID, Created defaulted, Status
// defaulted to pending) or replaces a request. Changing the status of a
// request that is no longer pending is store.ErrConflict; replacing an
// unknown ID is store.ErrNotFound; a pending request for the package and
// version of another pending one is store.ErrAlreadyPending, returned with
// that other request.
func (s *Store) PutRequest(ctx context.Context, r store.Request) (store.Request, error) {
	if err := ctx.Err(); err != nil {
		return store.Request{}, fmt.Errorf("put request: %w", err)
	}
	err := s.write(func(tx *bolt.Tx) error {
		var err error
		r, err = s.putRequest(tx, r)
		return err
	})
	if errors.Is(err, store.ErrAlreadyPending) {
		return r, fmt.Errorf("put request: %w", err) // r is the pending request
	}
	if err != nil {
		return store.Request{}, fmt.Errorf("put request: %w", err)
	}
	return r, nil
}

// putRequest is PutRequest inside tx.
func (s *Store) putRequest(tx *bolt.Tx, r store.Request) (store.Request, error) {
	if r.Status == "" && r.ID == "" {
		r.Status = store.RequestPending
	}
	if err := validateRequest(r); err != nil {
		return r, err
	}
	b, err := bucket(tx, bucketRequests)
	if err != nil {
		return r, err
	}
	var existing store.Request // the pending request r duplicates
	err = func() error {
		if r.ID == "" {
			r.ID = newID()
			for b.Get([]byte(r.ID)) != nil {
				r.ID = newID()
			}
			if r.Created.IsZero() {
				r.Created = s.now()
			}
		} else {
			var old store.Request
			found, err := getJSON(b, []byte(r.ID), &old)
			if err != nil {
				return err
			}
			if !found {
				return fmt.Errorf("request %s: %w", r.ID, store.ErrNotFound)
			}
			if old.Status != store.RequestPending && r.Status != old.Status {
				return fmt.Errorf("request %s is already %s: %w", r.ID, old.Status, store.ErrConflict)
			}
			if r.Created.IsZero() {
				r.Created = old.Created
			}
		}
		if r.Status == store.RequestPending {
			// The check and the write share this write transaction, which
			// bbolt runs one at a time: no other pending request for the
			// package can appear in between.
			o, found, err := pendingFor(b, r)
			if err != nil {
				return err
			}
			if found {
				existing = o
				return fmt.Errorf("request %s for %s:%s %s: %w", o.ID, o.Ecosystem, o.Name, o.Version, store.ErrAlreadyPending)
			}
		}
		return putJSON(b, []byte(r.ID), r)
	}()
	if errors.Is(err, store.ErrAlreadyPending) {
		return existing, err
	}
	return r, err
}

// pendingFor returns the pending request in b, other than r itself, for
// r's ecosystem, name and version.
func pendingFor(b *bolt.Bucket, r store.Request) (store.Request, bool, error) {
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var o store.Request
		if err := json.Unmarshal(v, &o); err != nil {
			return store.Request{}, false, fmt.Errorf("look for a pending request for %s:%s: decode %s: %w", r.Ecosystem, r.Name, k, err)
		}
		if o.ID != r.ID && store.SamePendingPackage(o, r) {
			return o, true, nil
		}
	}
	return store.Request{}, false, nil
}

// GetRequest returns the request with that ID or store.ErrNotFound.
func (s *Store) GetRequest(ctx context.Context, id string) (store.Request, error) {
	var r store.Request
	err := s.view(ctx, bucketRequests, func(b *bolt.Bucket) error {
		var err error
		r, err = getRequest(b, id)
		return err
	})
	if err != nil {
		return store.Request{}, fmt.Errorf("get request %s: %w", id, err)
	}
	return r, nil
}

// getRequest reads a request from the requests bucket b.
func getRequest(b *bolt.Bucket, id string) (store.Request, error) {
	var r store.Request
	found, err := getJSON(b, []byte(id), &r)
	if err == nil && !found {
		err = store.ErrNotFound
	}
	return r, err
}

// Requests lists requests with the given status ("" for all), newest first.
func (s *Store) Requests(ctx context.Context, status string) ([]store.Request, error) {
	if status != "" && !validStatus(status) {
		return nil, fmt.Errorf("list requests: unknown status %q: %w", status, store.ErrInvalid)
	}
	var out []store.Request
	err := s.view(ctx, bucketRequests, func(b *bolt.Bucket) error {
		return b.ForEach(func(k, _ []byte) error {
			var r store.Request
			if _, err := getJSON(b, k, &r); err != nil {
				return err
			}
			if status == "" || r.Status == status {
				out = append(out, r)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list requests: %w", err)
	}
	slices.SortFunc(out, func(a, b store.Request) int {
		return cmp.Or(b.Created.Compare(a.Created), strings.Compare(b.ID, a.ID))
	})
	return out, nil
}

func watchKey(eco policy.Ecosystem, name string) []byte {
	return []byte(string(eco) + "\x00" + name)
}

// RecordMissing creates the watchlist entry for a name or bumps its LastSeen
// (never backwards) and Count.
func (s *Store) RecordMissing(ctx context.Context, eco policy.Ecosystem, name string, at time.Time) (store.WatchEntry, error) {
	if err := ctx.Err(); err != nil {
		return store.WatchEntry{}, fmt.Errorf("record missing: %w", err)
	}
	if err := validateWatch(eco, name); err != nil {
		return store.WatchEntry{}, fmt.Errorf("record missing: %w", err)
	}
	if at.IsZero() {
		at = s.now()
	}
	var w store.WatchEntry
	err := s.write(func(tx *bolt.Tx) error {
		b, err := bucket(tx, bucketWatch)
		if err != nil {
			return err
		}
		k := watchKey(eco, name)
		found, err := getJSON(b, k, &w)
		if err != nil {
			return err
		}
		if !found {
			w = store.WatchEntry{Ecosystem: eco, Name: name, FirstSeen: at, LastSeen: at}
			if err := s.makeWatchRoom(b); err != nil {
				return err
			}
		}
		w.Count++
		if at.After(w.LastSeen) {
			w.LastSeen = at
		}
		if at.Before(w.FirstSeen) {
			w.FirstSeen = at
		}
		return putJSON(b, k, w)
	})
	if err != nil {
		return store.WatchEntry{}, fmt.Errorf("record missing %s:%s: %w", eco, name, err)
	}
	return w, nil
}

// MarkAppeared sets Appeared on an existing entry if it is not set yet.
func (s *Store) MarkAppeared(ctx context.Context, eco policy.Ecosystem, name string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mark appeared: %w", err)
	}
	if at.IsZero() {
		at = s.now()
	}
	err := s.write(func(tx *bolt.Tx) error {
		b, err := bucket(tx, bucketWatch)
		if err != nil {
			return err
		}
		k := watchKey(eco, name)
		var w store.WatchEntry
		found, err := getJSON(b, k, &w)
		if err != nil {
			return err
		}
		if !found {
			return store.ErrNotFound
		}
		if !w.Appeared.IsZero() {
			return nil
		}
		w.Appeared = at
		return putJSON(b, k, w)
	})
	if err != nil {
		return fmt.Errorf("mark appeared %s:%s: %w", eco, name, err)
	}
	return nil
}

// makeWatchRoom evicts entries when the watchlist is full: the oldest
// (LastSeen), least-requested ones first, a hundredth of the bound at a
// time so that the scan is rare.
func (s *Store) makeWatchRoom(b *bolt.Bucket) error {
	if b.Stats().KeyN < s.maxWatch {
		return nil
	}
	type victim struct {
		key   []byte
		count int
		last  time.Time
	}
	var all []victim
	err := b.ForEach(func(k, _ []byte) error {
		var w store.WatchEntry
		if _, err := getJSON(b, k, &w); err != nil {
			return err
		}
		all = append(all, victim{key: append([]byte(nil), k...), count: w.Count, last: w.LastSeen})
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(all, func(a, b victim) int {
		return cmp.Or(cmp.Compare(a.count, b.count), a.last.Compare(b.last))
	})
	n := len(all) - s.maxWatch + 1 + s.maxWatch/100
	for _, v := range all[:min(n, len(all))] {
		if err := b.Delete(v.key); err != nil {
			return err
		}
	}
	s.log.Warn("watchlist full: evicted the oldest, least-requested entries", "evicted", min(n, len(all)), "max_entries", s.maxWatch)
	return nil
}

// ForgetWatched deletes the entry for a name and returns it as it was.
func (s *Store) ForgetWatched(ctx context.Context, eco policy.Ecosystem, name string) (store.WatchEntry, error) {
	if err := ctx.Err(); err != nil {
		return store.WatchEntry{}, fmt.Errorf("forget watched: %w", err)
	}
	var w store.WatchEntry
	err := s.write(func(tx *bolt.Tx) error {
		var err error
		w, err = forgetWatched(tx, eco, name)
		return err
	})
	if err != nil {
		return store.WatchEntry{}, fmt.Errorf("forget watched %s:%s: %w", eco, name, err)
	}
	return w, nil
}

// forgetWatched is ForgetWatched inside tx.
func forgetWatched(tx *bolt.Tx, eco policy.Ecosystem, name string) (store.WatchEntry, error) {
	var w store.WatchEntry
	b, err := bucket(tx, bucketWatch)
	if err != nil {
		return w, err
	}
	k := watchKey(eco, name)
	found, err := getJSON(b, k, &w)
	if err != nil {
		return w, err
	}
	if !found {
		return w, store.ErrNotFound
	}
	return w, b.Delete(k)
}

// Watched returns the entry for a name, or store.ErrNotFound.
func (s *Store) Watched(ctx context.Context, eco policy.Ecosystem, name string) (store.WatchEntry, error) {
	var w store.WatchEntry
	err := s.view(ctx, bucketWatch, func(b *bolt.Bucket) error {
		found, err := getJSON(b, watchKey(eco, name), &w)
		if err == nil && !found {
			err = store.ErrNotFound
		}
		return err
	})
	if err != nil {
		return store.WatchEntry{}, fmt.Errorf("watched %s:%s: %w", eco, name, err)
	}
	return w, nil
}

// Watchlist returns every entry, most recently seen first.
func (s *Store) Watchlist(ctx context.Context) ([]store.WatchEntry, error) {
	var out []store.WatchEntry
	err := s.view(ctx, bucketWatch, func(b *bolt.Bucket) error {
		return b.ForEach(func(k, _ []byte) error {
			var w store.WatchEntry
			if _, err := getJSON(b, k, &w); err != nil {
				return err
			}
			out = append(out, w)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("watchlist: %w", err)
	}
	slices.SortFunc(out, func(a, b store.WatchEntry) int {
		return cmp.Or(b.LastSeen.Compare(a.LastSeen),
			strings.Compare(string(a.Ecosystem), string(b.Ecosystem)),
			strings.Compare(a.Name, b.Name))
	})
	return out, nil
}

// view runs fn on bucket name in a read transaction.
func (s *Store) view(ctx context.Context, name []byte, fn func(b *bolt.Bucket) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.read(func(tx *bolt.Tx) error {
		b, err := bucket(tx, name)
		if err != nil {
			return err
		}
		return fn(b)
	})
}

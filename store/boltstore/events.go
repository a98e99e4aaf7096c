package boltstore

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/vigil-proxy/vigil-proxy/store"
)

// Event paging limits.
const (
	// maxEventScan bounds the records one Events call examines. A filtered
	// query that scans this many records without filling its page returns
	// what it found and a cursor at the last scanned record; the caller
	// continues from there. A page may thus be short, or even empty, while
	// next is not "".
	maxEventScan = 100_000
	// pruneBatch is how many keys PruneEvents deletes per transaction, so a
	// large prune does not hold the writer lock for long.
	pruneBatch = 10_000
)

// RecordEvents appends events, assigning IDs and, when zero, Time.
func (s *Store) RecordEvents(ctx context.Context, evs ...store.Event) error {
	if len(evs) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("record events: %w", err)
	}
	if err := s.write(func(tx *bolt.Tx) error { return s.recordEvents(tx, evs) }); err != nil {
		return fmt.Errorf("record %d events: %w", len(evs), err)
	}
	return nil
}

// recordEvents is RecordEvents inside tx.
func (s *Store) recordEvents(tx *bolt.Tx, evs []store.Event) error {
	if s.eventFault != nil {
		return s.eventFault
	}
	b, err := bucket(tx, bucketEvents)
	if err != nil {
		return err
	}
	now := s.now()
	for _, ev := range evs {
		if ev.Time.IsZero() {
			ev.Time = now
		}
		seq, err := b.NextSequence()
		if err != nil {
			return fmt.Errorf("next sequence: %w", err)
		}
		k := store.EventKey(ev.Time, seq)
		ev.ID = hex.EncodeToString(k)
		if err := putJSON(b, k, ev); err != nil {
			return err
		}
	}
	return nil
}

// Events returns one page of matching events, newest first. Since is
// inclusive and Until exclusive. See maxEventScan for the bound on work per
// call.
func (s *Store) Events(ctx context.Context, q store.EventQuery) ([]store.Event, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", fmt.Errorf("query events: %w", err)
	}
	limit, err := store.EventPageSize(q.Limit)
	if err != nil {
		return nil, "", err
	}
	var start []byte // exclusive upper bound of the walk; nil: from the newest
	if q.Cursor != "" {
		k, err := store.ParseEventID(q.Cursor)
		if err != nil {
			return nil, "", fmt.Errorf("query events: %w", err)
		}
		start = k
	}
	if !q.Until.IsZero() {
		u := store.EventKey(q.Until, 0)
		if start == nil || bytes.Compare(u, start) < 0 {
			start = u
		}
	}
	var stop []byte // inclusive lower bound
	if !q.Since.IsZero() {
		stop = store.EventKey(q.Since, 0)
	}

	var (
		out  []store.Event
		next string
	)
	err = s.read(func(tx *bolt.Tx) error {
		b, err := bucket(tx, bucketEvents)
		if err != nil {
			return err
		}
		c := b.Cursor()
		var k, v []byte
		if start == nil {
			k, v = c.Last()
		} else {
			// Seek lands on the first key >= start; step back once.
			if k, _ = c.Seek(start); k == nil {
				k, v = c.Last()
			} else {
				k, v = c.Prev()
			}
		}
		scanned := 0
		for ; k != nil; k, v = c.Prev() {
			if stop != nil && bytes.Compare(k, stop) < 0 {
				return nil
			}
			if scanned >= s.scanLimit {
				// Resume at this (unscanned) record: the cursor is exclusive,
				// so point just above it.
				next = cursorAbove(k)
				return nil
			}
			scanned++
			if scanned%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			var ev store.Event
			if err := json.Unmarshal(v, &ev); err != nil {
				return fmt.Errorf("decode event %x: %w", k, err)
			}
			if !matches(ev, q) {
				continue
			}
			if len(out) == limit {
				// One more match exists: the page is full and not the last.
				next = out[len(out)-1].ID
				return nil
			}
			out = append(out, ev)
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("query events: %w", err)
	}
	return out, next, nil
}

// cursorAbove returns the cursor that makes the next page start at key k
// (the smallest key greater than k). Keys are fixed length, so incrementing
// the key as a big-endian number is enough.
func cursorAbove(k []byte) string {
	c := bytes.Clone(k)
	for i := len(c) - 1; i >= 0; i-- {
		c[i]++
		if c[i] != 0 {
			break
		}
	}
	return hex.EncodeToString(c)
}

// matches applies the non-time filters of q.
func matches(ev store.Event, q store.EventQuery) bool {
	switch {
	case q.Kind != "" && ev.Kind != q.Kind,
		q.Ecosystem != "" && ev.Ecosystem != q.Ecosystem,
		q.Package != "" && ev.Package != q.Package,
		q.Verdict != "" && ev.Verdict != q.Verdict,
		q.Rule != "" && !slices.Contains(ev.Rules, q.Rule),
		q.Client != "" && !strings.Contains(ev.Client, q.Client):
		return false
	}
	return true
}

// PruneEvents deletes events older than before. IDs are time ordered, so it
// deletes from the front of the bucket, in batches of pruneBatch keys per
// transaction.
func (s *Store) PruneEvents(ctx context.Context, before time.Time) (int, error) {
	limit := store.EventKey(before, 0)
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("prune events: %w", err)
		}
		n := 0
		err := s.write(func(tx *bolt.Tx) error {
			b, err := bucket(tx, bucketEvents)
			if err != nil {
				return err
			}
			var keys [][]byte
			c := b.Cursor()
			for k, _ := c.First(); k != nil && bytes.Compare(k, limit) < 0 && len(keys) < pruneBatch; k, _ = c.Next() {
				keys = append(keys, bytes.Clone(k))
			}
			for _, k := range keys {
				if err := b.Delete(k); err != nil {
					return fmt.Errorf("delete event %x: %w", k, err)
				}
			}
			n = len(keys)
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("prune events: %w", err)
		}
		total += n
		if n < pruneBatch {
			return total, nil
		}
	}
}

// EventsSize is the live size of the audit trail in bytes: the pages its
// events occupy (a bbolt file does not shrink when they are pruned; see
// Compact).
func (s *Store) EventsSize(ctx context.Context) (int64, error) {
	var n int64
	err := s.view(ctx, bucketEvents, func(b *bolt.Bucket) error {
		st := b.Stats()
		n = int64(st.LeafInuse + st.BranchInuse + st.InlineBucketInuse)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("events size: %w", err)
	}
	return n, nil
}

// PruneEventsToSize deletes the oldest events until the live audit data
// (EventsSize) is at most maxBytes, and returns how many it deleted. Each
// round deletes a share of the events in proportion to the excess.
func (s *Store) PruneEventsToSize(ctx context.Context, maxBytes int64) (int, error) {
	total := 0
	for {
		size, err := s.EventsSize(ctx)
		if err != nil {
			return total, err
		}
		if size <= maxBytes {
			return total, nil
		}
		n := 0
		err = s.write(func(tx *bolt.Tx) error {
			b, err := bucket(tx, bucketEvents)
			if err != nil {
				return err
			}
			count := b.Stats().KeyN
			// Delete the excess share of the events, and a little more so
			// that page overheads do not need many rounds.
			want := int(float64(count)*float64(size-maxBytes)/float64(size)) + count/100 + 1
			want = min(want, pruneBatch)
			c := b.Cursor()
			var keys [][]byte
			for k, _ := c.First(); k != nil && len(keys) < want; k, _ = c.Next() {
				keys = append(keys, bytes.Clone(k))
			}
			for _, k := range keys {
				if err := b.Delete(k); err != nil {
					return fmt.Errorf("delete event %x: %w", k, err)
				}
			}
			n = len(keys)
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("prune events to size: %w", err)
		}
		total += n
		if n == 0 {
			return total, nil
		}
	}
}

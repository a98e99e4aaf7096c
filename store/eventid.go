package store

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"
)

// Event IDs are 16 bytes, shown as 32 hex characters: the event time (as
// nanoseconds, sign bit flipped so that byte order is time order) and a
// sequence number. Every store implementation uses the same layout, so IDs
// and cursors survive `store migrate`.
const EventKeyLen = 16

// Event page sizes (EventQuery.Limit) shared by every store.
const (
	DefaultEventLimit = 50
	MaxEventLimit     = 500
)

// EventKey is the ID of an event recorded at t with sequence number seq;
// EventKey(t, 0) is the smallest key at t (for time bounds).
func EventKey(t time.Time, seq uint64) []byte {
	k := make([]byte, EventKeyLen)
	binary.BigEndian.PutUint64(k[:8], uint64(t.UnixNano())^(1<<63))
	binary.BigEndian.PutUint64(k[8:], seq)
	return k
}

// ParseEventID decodes an event ID (or a paging cursor) into its key.
func ParseEventID(id string) ([]byte, error) {
	if len(id) != 2*EventKeyLen {
		return nil, fmt.Errorf("cursor %q: want %d hex characters: %w", id, 2*EventKeyLen, ErrInvalid)
	}
	k, err := hex.DecodeString(id)
	if err != nil {
		return nil, fmt.Errorf("cursor %q: not hex: %w", id, ErrInvalid)
	}
	return k, nil
}

// EventPageSize validates a query's limit: 0 means DefaultEventLimit, more
// than MaxEventLimit is capped, a negative limit is invalid.
func EventPageSize(limit int) (int, error) {
	switch {
	case limit < 0:
		return 0, fmt.Errorf("query events: negative limit %d: %w", limit, ErrInvalid)
	case limit == 0:
		return DefaultEventLimit, nil
	case limit > MaxEventLimit:
		return MaxEventLimit, nil
	}
	return limit, nil
}

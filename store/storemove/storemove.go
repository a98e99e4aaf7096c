// Package storemove copies every durable record from one store to another
// and verifies the copy: per table, the record count and a SHA-256 over the
// records in key order, computed independently on both sides.
package storemove

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// Tables, in the order they are copied and reported.
var Tables = []string{"events", "entries", "requests", "watchlist"}

// Importer writes records exactly as given (pgstore.Store implements it).
type Importer interface {
	store.Store
	ImportEvents(ctx context.Context, evs []store.Event) error
	ImportEntries(ctx context.Context, es []policy.ListEntry) error
	ImportRequests(ctx context.Context, rs []store.Request) error
	ImportWatch(ctx context.Context, ws []store.WatchEntry) error
	Empty(ctx context.Context) (bool, error)
}

// Sum is one table's count and checksum.
type Sum struct {
	Count    int
	Checksum string // hex SHA-256
}

// Result compares source and destination, table by table.
type Result struct {
	Source, Dest map[string]Sum
}

// OK reports whether every table matches.
func (r Result) OK() bool {
	for _, t := range Tables {
		if r.Source[t] != r.Dest[t] {
			return false
		}
	}
	return true
}

// eventPage is how many events are read and written per batch.
const eventPage = 500

// Copy copies every record from src into dst, which must be empty, then
// verifies both sides. progress (may be nil) is told each table's count as
// it is copied.
func Copy(ctx context.Context, src store.Store, dst Importer, progress func(table string, n int)) (Result, error) {
	if progress == nil {
		progress = func(string, int) {}
	}
	empty, err := dst.Empty(ctx)
	if err != nil {
		return Result{}, err
	}
	if !empty {
		return Result{}, fmt.Errorf("the destination already holds records: migrate into an empty database: %w", store.ErrConflict)
	}
	if err := onePendingPerPackage(ctx, src); err != nil {
		return Result{}, err
	}
	n := 0
	err = walkEvents(ctx, src, func(page []store.Event) error {
		n += len(page)
		return dst.ImportEvents(ctx, page)
	})
	if err != nil {
		return Result{}, fmt.Errorf("copy events: %w", err)
	}
	progress("events", n)
	entries, err := src.Entries(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("read entries: %w", err)
	}
	if err := dst.ImportEntries(ctx, entries); err != nil {
		return Result{}, err
	}
	progress("entries", len(entries))
	requests, err := src.Requests(ctx, "")
	if err != nil {
		return Result{}, fmt.Errorf("read requests: %w", err)
	}
	if err := dst.ImportRequests(ctx, requests); err != nil {
		return Result{}, err
	}
	progress("requests", len(requests))
	watch, err := src.Watchlist(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("read watchlist: %w", err)
	}
	if err := dst.ImportWatch(ctx, watch); err != nil {
		return Result{}, err
	}
	progress("watchlist", len(watch))

	var res Result
	if res.Source, err = Checksums(ctx, src); err != nil {
		return res, fmt.Errorf("verify source: %w", err)
	}
	if res.Dest, err = Checksums(ctx, dst); err != nil {
		return res, fmt.Errorf("verify destination: %w", err)
	}
	return res, nil
}

// onePendingPerPackage checks, before anything is copied, that src holds
// at most one pending request per package and version, as every store of
// this release does (pgstore enforces it with a unique index). A file
// written by an older release may hold more; copying it would fail half
// way, so it is refused up front with the requests to decide.
func onePendingPerPackage(ctx context.Context, src store.RequestStore) error {
	pending, err := src.Requests(ctx, store.RequestPending)
	if err != nil {
		return fmt.Errorf("read pending requests: %w", err)
	}
	type key struct {
		eco           policy.Ecosystem
		name, version string
	}
	seen := map[key]string{}
	var dups []string
	for _, r := range pending {
		k := key{r.Ecosystem, r.Name, r.Version}
		if first, ok := seen[k]; ok {
			dups = append(dups, fmt.Sprintf("%s and %s (%s:%s %s)", first, r.ID, r.Ecosystem, r.Name, r.Version))
			continue
		}
		seen[k] = r.ID
	}
	if len(dups) > 0 {
		return fmt.Errorf("the source holds more than one pending request for one package and version, which the destination refuses: %s; "+
			"approve or deny the extra ones (vigil-proxy admin), then migrate again (nothing was copied): %w", strings.Join(dups, "; "), store.ErrConflict)
	}
	return nil
}

// walkEvents calls fn with every event, a page at a time, newest first.
func walkEvents(ctx context.Context, s store.EventStore, fn func([]store.Event) error) error {
	cursor := ""
	for {
		page, next, err := s.Events(ctx, store.EventQuery{Limit: eventPage, Cursor: cursor})
		if err != nil {
			return err
		}
		if len(page) > 0 {
			if err := fn(page); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}

// Checksums reads every table of s and returns its count and checksum.
// Records are hashed as JSON in key order with times in UTC, so equal
// content gives equal sums whatever store holds it.
func Checksums(ctx context.Context, s store.Store) (map[string]Sum, error) {
	out := map[string]Sum{}
	var evs []store.Event
	if err := walkEvents(ctx, s, func(page []store.Event) error {
		for _, ev := range page {
			ev.Time = ev.Time.UTC()
			evs = append(evs, ev)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	slices.SortFunc(evs, func(a, b store.Event) int { return strings.Compare(a.ID, b.ID) })
	out["events"] = sum(evs)

	entries, err := s.Entries(ctx)
	if err != nil {
		return nil, fmt.Errorf("read entries: %w", err)
	}
	for i := range entries {
		entries[i].Created, entries[i].Expires = utc(entries[i].Created), utc(entries[i].Expires)
	}
	slices.SortFunc(entries, func(a, b policy.ListEntry) int { return strings.Compare(a.ID, b.ID) })
	out["entries"] = sum(entries)

	requests, err := s.Requests(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("read requests: %w", err)
	}
	for i := range requests {
		requests[i].Created, requests[i].DecidedAt = utc(requests[i].Created), utc(requests[i].DecidedAt)
	}
	slices.SortFunc(requests, func(a, b store.Request) int { return strings.Compare(a.ID, b.ID) })
	out["requests"] = sum(requests)

	watch, err := s.Watchlist(ctx)
	if err != nil {
		return nil, fmt.Errorf("read watchlist: %w", err)
	}
	for i := range watch {
		w := &watch[i]
		w.FirstSeen, w.LastSeen, w.Appeared = utc(w.FirstSeen), utc(w.LastSeen), utc(w.Appeared)
	}
	slices.SortFunc(watch, func(a, b store.WatchEntry) int {
		return cmp.Or(strings.Compare(string(a.Ecosystem), string(b.Ecosystem)), strings.Compare(a.Name, b.Name))
	})
	out["watchlist"] = sum(watch)
	return out, nil
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// sum hashes each record's JSON followed by a newline.
func sum[T any](records []T) Sum {
	h := sha256.New()
	for _, r := range records {
		b, err := json.Marshal(r)
		if err != nil { // records read from a store always encode
			b = []byte(fmt.Sprintf("unencodable: %v", err))
		}
		h.Write(b)
		h.Write([]byte{'\n'})
	}
	return Sum{Count: len(records), Checksum: hex.EncodeToString(h.Sum(nil))}
}

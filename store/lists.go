package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// Entry sources set by Lists.
const (
	SourceConfig = "config"
	SourceStore  = "store"
)

// Lists timing defaults.
const (
	// DefaultListsTTL is how long a snapshot of the stored entries is reused.
	DefaultListsTTL = 5 * time.Second
	// MaxStaleSnapshot is how old a snapshot may be, by default, and still
	// serve matches while the store fails; past it, Match returns the
	// store's error (WithMaxStale changes it).
	MaxStaleSnapshot = time.Minute
)

// Lists is the policy.Lists the proxy uses: the entries from the config file
// merged with the entries kept in a ListStore. Stored entries are read into
// a snapshot that is reused for the TTL; call Invalidate after writing
// entries so the next match rereads them. It is safe for concurrent use.
type Lists struct {
	static []policy.ListEntry
	st     ListStore
	ttl    time.Duration
	stale  time.Duration // MaxStaleSnapshot unless WithMaxStale
	log    *slog.Logger
	clock  func() time.Time // wall clock for snapshot age

	mu      sync.Mutex // serialises refreshes
	snapMu  sync.RWMutex
	snap    []policy.ListEntry // merged entries; nil before the first load
	loaded  time.Time          // when snap was read from the store
	invalid bool               // set by Invalidate: reread on next use

	onChange func() // SetOnChange; nil when unset

	// Guarded by snapMu: while reads fail, the next one waits until
	// retryAt, and lastErr is the last read's error (nil while reads
	// succeed).
	retryAt time.Time
	lastErr error

	// Guarded by mu: when reads of the store started failing (zero while
	// they succeed) and when that was last logged.
	failingSince, lastReport time.Time
	lastUsable               bool // what the last report said of the snapshot
}

// outageReportEvery spaces the warnings of a store that stays unreadable.
const outageReportEvery = 30 * time.Second

// outageRetryEvery spaces the reads of a store that cannot be read: a
// database behind a network partition takes its whole connect timeout to
// fail, and requests must not queue behind one such read after another.
const outageRetryEvery = time.Second

var _ policy.Lists = (*Lists)(nil)

// ErrListsUnavailable: the stored entries cannot be read and no snapshot
// younger than the max-stale bound is left to judge with. The proxy answers
// 503 (fail closed) instead of guessing.
var ErrListsUnavailable = errors.New("allow/deny lists unavailable: the store cannot be read and the last lists loaded are older than store.max_stale")

// NewLists merges static entries (Source "config") with those in st (Source
// "store"); st may be nil (config entries only). A ttl of zero or less means
// DefaultListsTTL.
func NewLists(static []policy.ListEntry, st ListStore, ttl time.Duration) *Lists {
	if ttl <= 0 {
		ttl = DefaultListsTTL
	}
	s := make([]policy.ListEntry, len(static))
	for i, e := range static {
		e.Source = SourceConfig
		s[i] = e
	}
	return &Lists{
		static: s,
		st:     st,
		ttl:    ttl,
		stale:  MaxStaleSnapshot,
		log:    slog.New(slog.DiscardHandler),
		clock:  time.Now,
	}
}

// WithLogger sets the logger that reports store failures answered from a
// stale snapshot, and returns l. Call it before first use.
func (l *Lists) WithLogger(log *slog.Logger) *Lists {
	if log != nil {
		l.log = log
	}
	return l
}

// WithMaxStale sets how long the last snapshot keeps serving matches while
// the store cannot be read (d > 0), and returns l. Past it, matches fail:
// the proxy refuses what it cannot judge. Call it before first use.
func (l *Lists) WithMaxStale(d time.Duration) *Lists {
	if d > 0 {
		l.stale = d
	}
	return l
}

// Ready reports whether matches can be judged: the stored entries were
// read at least once and the snapshot is fresh, rereadable, or younger than
// the max-stale bound.
func (l *Lists) Ready(ctx context.Context) error {
	if _, err := l.entries(ctx); err != nil {
		return fmt.Errorf("lists: %w", err)
	}
	return nil
}

// Match returns the deciding entry for ref at time now (see
// policy.MatchEntries), or nil. It fails when the stored entries cannot be
// read and no snapshot younger than the max-stale bound exists.
func (l *Lists) Match(ctx context.Context, ref policy.Ref, now time.Time) (*policy.ListEntry, error) {
	entries, err := l.entries(ctx)
	if err != nil {
		return nil, fmt.Errorf("match %s: %w", ref, err)
	}
	return policy.MatchEntries(entries, ref, now), nil
}

// All returns every entry, config ones first, with Source set. The slice is
// the caller's.
func (l *Lists) All(ctx context.Context) ([]policy.ListEntry, error) {
	entries, err := l.entries(ctx)
	if err != nil {
		return nil, fmt.Errorf("list entries: %w", err)
	}
	return append([]policy.ListEntry(nil), entries...), nil
}

// Invalidate makes the next Match or All reread the store, and calls the
// change hook (SetOnChange): Invalidate is how writers and other replicas
// say that entries changed.
func (l *Lists) Invalidate() {
	l.snapMu.Lock()
	l.invalid = true
	l.retryAt = time.Time{} // an explicit change is read at once, outage or not
	f := l.onChange
	l.snapMu.Unlock()
	if f != nil {
		f()
	}
}

// MarkStale makes the next Match or All reread the store without saying
// that anything changed: the reread calls the change hook only when it
// finds entries that differ from the snapshot.
func (l *Lists) MarkStale() {
	l.snapMu.Lock()
	l.invalid = true
	l.snapMu.Unlock()
}

// SetOnChange sets a hook called whenever the entries may have changed:
// on Invalidate, and when a reread of the store (after the TTL) finds
// entries that differ from the previous snapshot. The proxy's rendered
// cache bumps its generation there. Call it before first use.
func (l *Lists) SetOnChange(f func()) {
	l.snapMu.Lock()
	l.onChange = f
	l.snapMu.Unlock()
}

// Refresh rereads the stored entries when the snapshot is older than the
// TTL (or invalidated), so that a change written without a notification is
// seen (and reported to the change hook) within the TTL even by callers
// that do not match. It is cheap while the snapshot is fresh.
func (l *Lists) Refresh(ctx context.Context) error {
	if _, err := l.entries(ctx); err != nil {
		return fmt.Errorf("refresh lists: %w", err)
	}
	return nil
}

// NextExpiry implements policy.ExpiringLists: the earliest expiry after now
// of an entry that applies to the package.
func (l *Lists) NextExpiry(ctx context.Context, eco policy.Ecosystem, name string, now time.Time) (time.Time, error) {
	entries, err := l.entries(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("next expiry of %s: %w", name, err)
	}
	return policy.NextEntryExpiry(entries, eco, name, now), nil
}

// fresh returns the snapshot if it may be used without a reread.
func (l *Lists) fresh() ([]policy.ListEntry, bool) {
	l.snapMu.RLock()
	defer l.snapMu.RUnlock()
	if l.snap == nil || l.invalid || l.clock().Sub(l.loaded) >= l.ttl {
		return nil, false
	}
	return l.snap, true
}

// usable reports whether a snapshot loaded at loaded may still judge at
// now while the store cannot be read: there is one, and it is younger than
// the max-stale bound.
func (l *Lists) usable(snap []policy.ListEntry, loaded, now time.Time) bool {
	return snap != nil && now.Sub(loaded) < l.stale
}

// outage answers while the store cannot be read, without reading it: the
// last lists loaded while they are younger than the max-stale bound, else
// the last read's error. ok is false when the store should be read (reads
// succeed, or the retry interval has passed and no other read is running).
func (l *Lists) outage(reading bool) (snap []policy.ListEntry, err error, ok bool) {
	l.snapMu.RLock()
	defer l.snapMu.RUnlock()
	now := l.clock()
	if l.lastErr == nil || (!reading && !now.Before(l.retryAt)) {
		return nil, nil, false
	}
	if l.usable(l.snap, l.loaded, now) {
		return l.snap, nil, true
	}
	return nil, fmt.Errorf("read stored entries: %w: %w", ErrListsUnavailable, l.lastErr), true
}

// entries returns the merged snapshot, rereading the store when it is stale.
// While the store cannot be read, one caller at a time retries (at most
// every outageRetryEvery) and the others are answered from the last lists
// loaded (or refused once those are too old) instead of waiting for it.
// The returned slice is shared and must not be modified.
func (l *Lists) entries(ctx context.Context) ([]policy.ListEntry, error) {
	if l.st == nil {
		return l.static, nil
	}
	if s, ok := l.fresh(); ok {
		return s, nil
	}
	if s, err, ok := l.outage(false); ok {
		return s, err
	}
	if !l.mu.TryLock() {
		if s, err, ok := l.outage(true); ok { // another caller is retrying
			return s, err
		}
		l.mu.Lock()
	}
	defer l.mu.Unlock()
	if s, ok := l.fresh(); ok { // another caller refreshed meanwhile
		return s, nil
	}
	if s, err, ok := l.outage(false); ok { // or failed to, just now
		return s, err
	}
	// Mark the read's start before it begins, so an Invalidate that races
	// with the read forces another one.
	l.snapMu.Lock()
	l.invalid = false
	l.snapMu.Unlock()
	start := l.clock()
	stored, err := l.st.Entries(ctx)
	if err != nil {
		gaveUp := ctx.Err() != nil // the caller's deadline says nothing of the store
		l.snapMu.Lock()
		l.invalid = true // reread on the next call, not only after the TTL
		if !gaveUp {
			l.lastErr, l.retryAt = err, l.clock().Add(outageRetryEvery)
		}
		snap, loaded := l.snap, l.loaded
		l.snapMu.Unlock()
		if gaveUp {
			return nil, fmt.Errorf("read stored entries: %w", err)
		}
		now := l.clock()
		usable := l.usable(snap, loaded, now)
		l.reportFailure(ctx, err, snap != nil, now.Sub(loaded), usable)
		if usable {
			return snap, nil
		}
		return nil, fmt.Errorf("read stored entries: %w: %w", ErrListsUnavailable, err)
	}
	if !l.failingSince.IsZero() {
		l.log.InfoContext(ctx, "allow/deny lists readable again", "unreadable_for", l.clock().Sub(l.failingSince).Round(time.Millisecond))
		l.failingSince = time.Time{}
	}
	merged := make([]policy.ListEntry, 0, len(l.static)+len(stored))
	merged = append(merged, l.static...)
	for _, e := range stored {
		e.Source = SourceStore
		merged = append(merged, e)
	}
	l.snapMu.Lock()
	changed := l.snap != nil && !slices.EqualFunc(l.snap, merged, sameEntry)
	l.snap, l.loaded = merged, start
	l.lastErr, l.retryAt = nil, time.Time{}
	f := l.onChange
	l.snapMu.Unlock()
	if changed && f != nil {
		f()
	}
	return merged, nil
}

// reportFailure logs a store that cannot be read: when it starts failing,
// then every outageReportEvery while it lasts (not on every request), saying
// whether the last lists loaded are still judged with. The caller holds mu.
func (l *Lists) reportFailure(ctx context.Context, err error, loaded bool, age time.Duration, usable bool) {
	now := l.clock()
	if !l.failingSince.IsZero() && usable == l.lastUsable && now.Sub(l.lastReport) < outageReportEvery {
		return
	}
	if l.failingSince.IsZero() {
		l.failingSince = now
	}
	l.lastReport, l.lastUsable = now, usable
	switch {
	case usable:
		l.log.WarnContext(ctx, "allow/deny lists unreadable; judging with the last lists loaded until they are store.max_stale old",
			"error", err, "lists_age", age.Round(time.Millisecond), "max_stale", l.stale)
	case loaded:
		l.log.ErrorContext(ctx, "allow/deny lists unreadable for longer than store.max_stale; refusing what cannot be judged",
			"error", err, "lists_age", age.Round(time.Millisecond), "max_stale", l.stale)
	default:
		l.log.ErrorContext(ctx, "allow/deny lists unreadable and never loaded; refusing what cannot be judged", "error", err)
	}
}

// sameEntry reports whether two entries are identical (times compared as
// instants).
func sameEntry(a, b policy.ListEntry) bool {
	return a.ID == b.ID && a.Kind == b.Kind && a.Ecosystem == b.Ecosystem && a.Pattern == b.Pattern &&
		a.Versions == b.Versions && a.Reason == b.Reason && a.Advisory == b.Advisory && a.Owner == b.Owner &&
		a.Source == b.Source && a.Created.Equal(b.Created) && a.Expires.Equal(b.Expires)
}

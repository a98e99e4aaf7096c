package store

import (
	"context"
	"time"
)

// Session is an admin UI login kept where every replica can see it.
type Session struct {
	// ID is the key the caller chose; the admin server passes a hash of the
	// cookie's session ID, so a reader of the store cannot log in with it.
	ID      string
	User    string
	Role    string
	CSRF    string
	Expires time.Time
}

// SessionStore keeps admin sessions for replicas that share a store.
type SessionStore interface {
	// PutSession creates or replaces a session.
	PutSession(ctx context.Context, s Session) error
	// GetSession returns the session with that ID, or ErrNotFound (also
	// when it has expired at now).
	GetSession(ctx context.Context, id string, now time.Time) (Session, error)
	// DeleteSession removes a session; deleting a missing one is not an error.
	DeleteSession(ctx context.Context, id string) error
	// PruneSessions deletes sessions expired at now and returns how many.
	PruneSessions(ctx context.Context, now time.Time) (int, error)
}

// LoginLimitStore keeps login rate-limit counters shared by replicas: a
// token bucket per key holding at most burst tokens, refilled by one every
// interval.
type LoginLimitStore interface {
	// TakeLoginToken takes a token from key's bucket at now. When none is
	// left it returns false and how long until the next one.
	TakeLoginToken(ctx context.Context, key string, burst int, every time.Duration, now time.Time) (ok bool, wait time.Duration, err error)
	// PruneLoginLimits deletes buckets that have refilled completely.
	PruneLoginLimits(ctx context.Context, burst int, every time.Duration, now time.Time) (int, error)
}

// ChangeNotifier reports changes other processes make to a shared store.
type ChangeNotifier interface {
	// WatchChanges calls changed for every notification that allow or
	// deny entries (or the watchlist) changed, and resync after every
	// (re)connection, when changes may have been missed, until ctx is
	// done.
	WatchChanges(ctx context.Context, changed, resync func()) error
}

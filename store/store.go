// Package store defines vigil-proxy's durable state: the audit trail, allow
// and deny entries managed at run time, approval requests and the
// hallucination watchlist. store/boltstore is the default implementation;
// store/storetest is the compliance suite every implementation must pass.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// Sentinel errors.
var (
	ErrNotFound = errors.New("not found")
	// ErrConflict: the write conflicts with the stored state (for example a
	// decision on a request that is no longer pending).
	ErrConflict = errors.New("conflict")
	// ErrInvalid: the value fails validation; the message says why.
	ErrInvalid = errors.New("invalid")
	// ErrAlreadyPending: a new pending request names the ecosystem, name
	// and version of a request that is already pending (at most one is,
	// per package and version). It is an ErrConflict.
	ErrAlreadyPending = fmt.Errorf("%w: a pending request for this package already exists", ErrConflict)
	// ErrCommitUnknown: the connection to the database was lost after a
	// commit was sent and before its answer came back, so whether the
	// transaction was stored (all of it) or not (none of it) is unknown.
	ErrCommitUnknown = errors.New("connection lost during commit: the change may or may not have been stored")
)

// Event kinds.
const (
	KindDecision = "decision" // the proxy judged a request
	KindAdmin    = "admin"    // an admin or API action changed state
	KindQuestion = "question" // somebody asked for a verdict (check API, vigil-proxy check)
)

// Event is one audit-trail record.
type Event struct {
	// ID is assigned by the store: unique, and ordered like Time (newest
	// events have the greatest IDs).
	ID   string    `json:"id"`
	Time time.Time `json:"time"`
	Kind string    `json:"kind"`

	// Decision events.
	Ecosystem policy.Ecosystem `json:"ecosystem,omitempty"`
	Package   string           `json:"package,omitempty"`
	Version   string           `json:"version,omitempty"`
	File      string           `json:"file,omitempty"`
	Verdict   string           `json:"verdict,omitempty"` // allow | warn | block
	Rules     []string         `json:"rules,omitempty"`   // rule IDs at the verdict's severity
	Reason    string           `json:"reason,omitempty"`
	Findings  []policy.Finding `json:"findings,omitempty"`
	Client    string           `json:"client,omitempty"` // User-Agent
	// Count is how many identical decisions the event stands for when the
	// proxy aggregated repeated allows (0 means one).
	Count int    `json:"count,omitempty"`
	Route string `json:"route,omitempty"` // "simple", "json", "file", "packument", "tarball", "check"

	// Replica names the vigil-proxy process that recorded the event when
	// several share one store (set by stores that are shared).
	Replica string `json:"replica,omitempty"`

	// Admin events.
	Actor  string          `json:"actor,omitempty"`
	Action string          `json:"action,omitempty"` // e.g. "allow.create", "request.approve"
	Target string          `json:"target,omitempty"` // ID of the changed object
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
}

// EventQuery filters events. Zero fields match everything. Results are newest
// first; Cursor is the Next value of the previous page.
type EventQuery struct {
	Kind      string
	Ecosystem policy.Ecosystem
	Package   string // exact canonical name
	Rule      string
	Verdict   string
	Client    string // substring of the User-Agent
	Since     time.Time
	Until     time.Time
	Cursor    string
	Limit     int // default 50, at most 500
}

// EventStore keeps the audit trail.
type EventStore interface {
	// RecordEvents appends events, assigning IDs (and Time when zero).
	RecordEvents(ctx context.Context, evs ...Event) error
	// Events returns one page of matching events and the cursor of the next
	// page ("" when there is none).
	Events(ctx context.Context, q EventQuery) (evs []Event, next string, err error)
	// PruneEvents deletes events older than before and returns how many.
	PruneEvents(ctx context.Context, before time.Time) (int, error)
}

// ListStore keeps allow and deny entries managed at run time. Entries from
// the config file are not stored; the proxy merges both sources.
type ListStore interface {
	// PutEntry creates (empty ID: the store assigns one and sets Created) or
	// replaces an entry, and returns it as stored.
	PutEntry(ctx context.Context, e policy.ListEntry) (policy.ListEntry, error)
	GetEntry(ctx context.Context, id string) (policy.ListEntry, error)
	DeleteEntry(ctx context.Context, id string) error
	// Entries returns every stored entry, expired ones included.
	Entries(ctx context.Context) ([]policy.ListEntry, error)
}

// Request states.
const (
	RequestPending  = "pending"
	RequestApproved = "approved"
	RequestDenied   = "denied"
)

// Request is an approval request: somebody asks for a blocked package to be
// allowed.
type Request struct {
	ID            string           `json:"id"`
	Ecosystem     policy.Ecosystem `json:"ecosystem"`
	Name          string           `json:"name"`
	Version       string           `json:"version,omitempty"`
	EventID       string           `json:"event_id,omitempty"` // the blocked event it came from
	Requester     string           `json:"requester"`
	Justification string           `json:"justification"`
	Status        string           `json:"status"`
	Created       time.Time        `json:"created"`
	DecidedBy     string           `json:"decided_by,omitempty"`
	DecidedAt     time.Time        `json:"decided_at,omitzero"`
	DecisionNote  string           `json:"decision_note,omitempty"`
	EntryID       string           `json:"entry_id,omitempty"` // allow entry created on approval
}

// RequestStore keeps approval requests. At most one request is pending
// per ecosystem, name and version.
type RequestStore interface {
	// PutRequest creates (empty ID) or replaces a request. Creating a
	// pending request for an ecosystem, name and version that already has
	// one stores nothing and returns that request with an error wrapping
	// ErrAlreadyPending; the check and the write are one atomic step, so
	// simultaneous creations (other replicas included) leave one pending
	// request.
	PutRequest(ctx context.Context, r Request) (Request, error)
	GetRequest(ctx context.Context, id string) (Request, error)
	// Requests lists requests with the given status ("" for all), newest first.
	Requests(ctx context.Context, status string) ([]Request, error)
}

// WatchEntry is a name that was requested while it did not exist upstream.
type WatchEntry struct {
	Ecosystem policy.Ecosystem `json:"ecosystem"`
	Name      string           `json:"name"`
	FirstSeen time.Time        `json:"first_seen"`
	LastSeen  time.Time        `json:"last_seen"`
	Count     int              `json:"count"`
	// Appeared is when the name was first seen existing upstream after it
	// was watchlisted (zero while it still does not exist).
	Appeared time.Time `json:"appeared,omitzero"`
}

// WatchStore keeps the hallucination watchlist. An implementation may bound
// it (boltstore keeps at most Options.MaxWatchEntries, evicting the oldest,
// least-requested entries first).
type WatchStore interface {
	// RecordMissing notes a request for a name that does not exist upstream:
	// it creates the entry or bumps LastSeen and Count.
	RecordMissing(ctx context.Context, eco policy.Ecosystem, name string, at time.Time) (WatchEntry, error)
	// MarkAppeared sets Appeared (if not set yet) on an existing entry.
	MarkAppeared(ctx context.Context, eco policy.Ecosystem, name string, at time.Time) error
	// Watched returns the entry for a name, or ErrNotFound. Names are
	// exact: the caller gives each ecosystem's key form (npm names as
	// requested, since npm names are case-sensitive; PyPI in PEP 503 form).
	Watched(ctx context.Context, eco policy.Ecosystem, name string) (WatchEntry, error)
	// ForgetWatched deletes the entry for a name and returns it as it was,
	// or ErrNotFound.
	ForgetWatched(ctx context.Context, eco policy.Ecosystem, name string) (WatchEntry, error)
	// Watchlist returns every entry, most recently seen first.
	Watchlist(ctx context.Context) ([]WatchEntry, error)
}

// Tx is one transaction over a store's allow and deny entries, approval
// requests and audit trail. Its methods behave as the Store methods of the
// same names, except that nothing they write is visible to others, or
// durable, until the transaction commits. GetEntry and GetRequest read
// the last committed value and hold it until the commit: a transaction
// changing the same entry or request elsewhere (another replica) waits, so
// a read-modify-write never works from a value already replaced.
type Tx interface {
	GetEntry(ctx context.Context, id string) (policy.ListEntry, error)
	PutEntry(ctx context.Context, e policy.ListEntry) (policy.ListEntry, error)
	DeleteEntry(ctx context.Context, id string) error
	GetRequest(ctx context.Context, id string) (Request, error)
	PutRequest(ctx context.Context, r Request) (Request, error)
	RecordEvents(ctx context.Context, evs ...Event) error
	ForgetWatched(ctx context.Context, eco policy.Ecosystem, name string) (WatchEntry, error)
}

// ChangeStore applies an admin change and its audit events atomically, so
// that the allow and deny lists never change without an audit record.
// High-volume events (decisions) go through a Recorder's batches instead.
type ChangeStore interface {
	// Update runs fn in one write transaction and commits it when fn
	// returns nil. When fn returns an error, or the commit fails (a full
	// disk, a database that went away), nothing fn wrote is stored and
	// Update returns the error, with one exception: when the connection to
	// a database server is lost after the commit was sent, the server may
	// have committed everything fn wrote (never only part of it), and the
	// error wraps ErrCommitUnknown. fn must use only tx (calling the store
	// itself from fn may deadlock) and must not keep tx after it returns.
	Update(ctx context.Context, fn func(tx Tx) error) error
}

// Store is everything vigil-proxy keeps durably. Consumers should declare and
// accept the narrower interface they need.
type Store interface {
	EventStore
	ListStore
	RequestStore
	WatchStore
	ChangeStore
	Close() error
}

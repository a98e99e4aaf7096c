package policy

import (
	"context"
	"time"
)

// ListKind says whether a list entry allows or denies.
type ListKind string

const (
	Allowlist ListKind = "allow"
	Deny      ListKind = "deny"
)

// RuleDenylist is the pseudo rule ID recorded when a deny entry blocks.
const RuleDenylist = "DENYLIST"

// ListEntry is one allow or deny entry. Entries come from the config file
// (Source "config") or from the store (Source "store", managed in the admin
// UI).
type ListEntry struct {
	ID        string    `json:"id"`
	Kind      ListKind  `json:"kind"`
	Ecosystem Ecosystem `json:"ecosystem"`
	// Pattern is an exact canonical name or a glob ("*" and "?", "@myorg/*").
	Pattern string `json:"pattern"`
	// Versions is an optional constraint in the ecosystem's own syntax
	// (PEP 440 specifiers such as ">=2,<3" for PyPI, semver ranges such as
	// "^1.2.0" for npm). Empty matches every version.
	Versions string `json:"versions,omitempty"`
	Reason   string `json:"reason,omitempty"`
	// Advisory names the malware advisory IDs (comma-separated, e.g.
	// "MAL-2024-1234") this allow entry overrides; without it an allow entry
	// never overrides a known-malware finding from the malware feed.
	Advisory string    `json:"advisory,omitempty"`
	Owner    string    `json:"owner,omitempty"`
	Source   string    `json:"source,omitempty"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires,omitzero"`
}

// Expired reports whether the entry has an expiry at or before now.
func (e ListEntry) Expired(now time.Time) bool {
	return !e.Expires.IsZero() && !now.Before(e.Expires)
}

// Lists finds the list entry that applies to a reference. The engine asks
// once per package (Ref.Version empty: entries with and without a version
// constraint apply, and the engine inspects Versions) and once per release
// (only entries whose constraint the version satisfies apply).
// MatchEntries implements the matching and precedence contract; StaticLists
// is the in-memory implementation.
type Lists interface {
	// Match returns the deciding entry for ref at time now, or nil. Deny
	// entries win over allow entries (for package-level questions, an
	// unconstrained entry first wins over a constrained one; see
	// MatchEntries); expired entries never match.
	Match(ctx context.Context, ref Ref, now time.Time) (*ListEntry, error)
}

// describe names the entry for users: "npm:left-pad@<2 (config)".
func (e ListEntry) describe() string {
	s := string(e.Ecosystem) + ":" + e.Pattern
	if e.Versions != "" {
		s += " " + e.Versions
	}
	if e.Source != "" {
		s += " (" + e.Source + ")"
	}
	return s
}

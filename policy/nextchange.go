package policy

import (
	"context"
	"fmt"
	"time"
)

// TimedRule is a rule whose finding can change with the passage of time
// alone (DEP-002: a release stops being too new). NextChange returns the
// first instant after in.Now at which Evaluate(in) may answer differently,
// or the zero time when nothing in in changes by itself.
type TimedRule interface {
	Rule
	NextChange(in Input) time.Time
}

// ExpiringLists is a Lists whose entries can tell when the answer for a
// package changes by itself: NextExpiry returns the earliest expiry after
// now of an entry that applies to the named package (any version), or the
// zero time when none expires.
type ExpiringLists interface {
	Lists
	NextExpiry(ctx context.Context, eco Ecosystem, name string, now time.Time) (time.Time, error)
}

// NextChange returns the earliest instant after now at which a decision on
// pkg — the package, any release or any file — may change with nothing but
// the clock moving: a too-new package or release matures, or an allow or
// deny entry for it expires. The zero time means no decision changes by
// itself. Callers that keep decisions (the proxy's rendered-response cache)
// must judge again at that instant. A Lists that cannot say when its
// entries expire makes the answer now: nothing may be kept.
func (e *Engine) NextChange(ctx context.Context, pkg *Package, now time.Time) (time.Time, error) {
	var next time.Time
	earliest := func(t time.Time) {
		if t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	if e.lists != nil {
		el, ok := e.lists.(ExpiringLists)
		if !ok {
			return now, nil
		}
		t, err := el.NextExpiry(ctx, pkg.Ecosystem, pkg.Name, now)
		if err != nil {
			return time.Time{}, fmt.Errorf("next list expiry for %s: %w", pkg.Name, err)
		}
		earliest(t)
	}
	for _, b := range e.bindings {
		tr, ok := b.Rule.(TimedRule)
		if !ok {
			continue
		}
		scope := b.Rule.Info().Scope
		if scope&ScopePackage != 0 {
			earliest(tr.NextChange(Input{Package: pkg, Now: now}))
		}
		if scope&ScopeRelease == 0 {
			continue
		}
		for i := range pkg.Releases {
			rel := &pkg.Releases[i]
			earliest(tr.NextChange(Input{Package: pkg, Release: rel, RequestedVersion: rel.Version, Now: now}))
			for j := range rel.Files {
				earliest(tr.NextChange(Input{Package: pkg, Release: rel, File: &rel.Files[j], RequestedVersion: rel.Version, Now: now}))
			}
		}
	}
	return next, nil
}

// NextExpiry implements ExpiringLists.
func (l StaticLists) NextExpiry(_ context.Context, eco Ecosystem, name string, now time.Time) (time.Time, error) {
	return NextEntryExpiry(l, eco, name, now), nil
}

// NextEntryExpiry returns the earliest expiry after now among the entries
// that apply to the named package (whatever their version constraint), or
// the zero time.
func NextEntryExpiry(entries []ListEntry, eco Ecosystem, name string, now time.Time) time.Time {
	canon := CanonicalName(eco, name)
	var next time.Time
	for i := range entries {
		e := &entries[i]
		if e.Expires.IsZero() || !e.Expires.After(now) || e.Ecosystem != eco || !patternMatches(eco, e.Pattern, canon) {
			continue
		}
		if next.IsZero() || e.Expires.Before(next) {
			next = e.Expires
		}
	}
	return next
}

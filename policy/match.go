package policy

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	pep440 "github.com/aquasecurity/go-pep440-version"
)

// CanonicalName returns a package name in its ecosystem's canonical form:
// PEP 503 for PyPI (lower case, runs of "-", "_" and "." become "-"), lower
// case for npm. Glob characters pass through unchanged, so the function also
// canonicalises list patterns.
func CanonicalName(eco Ecosystem, name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	if eco != PyPI {
		return name
	}
	var b strings.Builder
	b.Grow(len(name))
	sep := false
	for _, r := range name {
		if r == '-' || r == '_' || r == '.' {
			if !sep {
				b.WriteByte('-')
			}
			sep = true
			continue
		}
		sep = false
		b.WriteRune(r)
	}
	return b.String()
}

// isGlob reports whether a pattern uses glob syntax.
func isGlob(pattern string) bool { return strings.ContainsAny(pattern, "*?[") }

// MatchEntries returns the entry deciding ref at time now, or nil. The
// result is a copy; entries is not modified.
//
// An entry applies when its ecosystem equals ref's, it has not expired, and
// its pattern matches the canonical name: either exactly (after
// canonicalising the pattern too) or as a glob with path.Match semantics, in
// which "*" and "?" never cross "/". So for npm "@myorg/*" matches every
// package of the @myorg scope, "*" matches every unscoped name and "@*/*"
// every scoped one.
//
// Version constraints: when ref.Version is empty (a package-level question)
// constrained and unconstrained entries apply, and the engine inspects
// Versions. When ref.Version is set, unconstrained entries apply and
// constrained ones only if the version satisfies the constraint (PEP 440
// specifiers for PyPI, semver ranges for npm); a version or constraint that
// does not parse never satisfies.
//
// Precedence, first difference wins:
//   - package-level question: an unconstrained entry beats a constrained
//     one (a constrained entry speaks only about some versions, so it
//     cannot outrank a statement about the whole package); among
//     unconstrained entries deny beats allow, among constrained ones allow
//     beats deny (a constrained allow must defer package-level findings so
//     the allowed versions stay installable, while a constrained deny has
//     no package-level effect and is enforced per release);
//   - release-level question: deny beats allow;
//   - then an exact name beats a glob, a constrained entry beats an
//     unconstrained one, and ID, pattern and versions break ties in
//     lexical order.
func MatchEntries(entries []ListEntry, ref Ref, now time.Time) *ListEntry {
	name := CanonicalName(ref.Ecosystem, ref.Name)
	best := -1
	for i := range entries {
		e := &entries[i]
		if !entryApplies(e, ref.Ecosystem, name, ref.Version, now) {
			continue
		}
		if best < 0 || compareEntries(e, &entries[best], ref.Version == "") < 0 {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	e := entries[best]
	return &e
}

func entryApplies(e *ListEntry, eco Ecosystem, name, version string, now time.Time) bool {
	if e.Ecosystem != eco || e.Expired(now) || (e.Kind != Allowlist && e.Kind != Deny) {
		return false
	}
	if !patternMatches(eco, e.Pattern, name) {
		return false
	}
	if version == "" || strings.TrimSpace(e.Versions) == "" {
		return true
	}
	return versionSatisfies(eco, version, e.Versions, e.Kind == Deny)
}

func patternMatches(eco Ecosystem, pattern, name string) bool {
	p := CanonicalName(eco, pattern)
	if p == "" {
		return false
	}
	if !isGlob(p) {
		return p == name
	}
	ok, err := path.Match(p, name)
	return err == nil && ok
}

// compareEntries orders two applicable entries by precedence (negative: a
// wins).
func compareEntries(a, b *ListEntry, packageLevel bool) int {
	kindRank := func(e *ListEntry, denyFirst bool) int {
		if (e.Kind == Deny) == denyFirst {
			return 0
		}
		return 1
	}
	constrained := func(e *ListEntry) int {
		if strings.TrimSpace(e.Versions) != "" {
			return 1
		}
		return 0
	}
	glob := func(e *ListEntry) int {
		if isGlob(e.Pattern) {
			return 1
		}
		return 0
	}
	if packageLevel {
		if c := cmp.Compare(constrained(a), constrained(b)); c != 0 {
			return c
		}
		denyFirst := constrained(a) == 0
		if c := cmp.Compare(kindRank(a, denyFirst), kindRank(b, denyFirst)); c != 0 {
			return c
		}
	} else {
		if c := cmp.Compare(kindRank(a, true), kindRank(b, true)); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(glob(a), glob(b)); c != 0 {
		return c
	}
	if c := cmp.Compare(constrained(b), constrained(a)); c != 0 {
		return c
	}
	return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare(a.Pattern, b.Pattern), cmp.Compare(a.Versions, b.Versions))
}

// Length limits for versions and constraints: the third-party parsers are
// superlinear on long input, and real values are far shorter.
const (
	maxVersionLen    = 128
	maxConstraintLen = 256
)

// VersionSatisfies reports whether version satisfies constraint in the
// ecosystem's syntax: PEP 440 specifiers for PyPI (">=2,<3", "~=1.4",
// "==1.*"), semver ranges for npm ("^1.2.0", ">=1 <2 || 3.x"). Anything that
// does not parse does not satisfy, nor does a version longer than 128 or a
// constraint longer than 256 characters.
func VersionSatisfies(eco Ecosystem, version, constraint string) (ok bool) {
	return versionSatisfies(eco, version, constraint, false)
}

// versionSatisfies is VersionSatisfies; deny reads the constraint as a
// range that refuses, which fails closed. An npm range then covers the
// pre-releases within its bounds too (the semver rule that a range excludes
// them unless it names one chooses what to install, and would let
// x@2.0.0-beta.1 past a deny of x@>=1.0.0; PEP 440 specifiers here always
// cover them), and a legacy PyPI version that is not PEP 440
// ("2.0-custom-build", still served by old projects and private indexes)
// satisfies a valid specifier set, since it cannot be shown to lie outside.
func versionSatisfies(eco Ecosystem, version, constraint string, deny bool) (ok bool) {
	defer func() {
		// The parsers are third-party code fed untrusted strings: a panic
		// there means "does not satisfy", never a crash.
		if recover() != nil {
			ok = false
		}
	}()
	if len(version) > maxVersionLen || len(constraint) > maxConstraintLen {
		return false
	}
	switch eco {
	case PyPI:
		ss, err := pep440.NewSpecifiers(constraint)
		if err != nil {
			return false
		}
		v, err := pep440.Parse(strings.TrimSpace(version))
		if err != nil {
			return deny
		}
		return ss.Check(v)
	case NPM:
		v, err := semver.StrictNewVersion(strings.TrimPrefix(strings.TrimSpace(version), "v"))
		if err != nil {
			return false
		}
		c, err := semver.NewConstraint(constraint)
		if err != nil {
			return false
		}
		c.IncludePrerelease = deny
		return c.Check(v)
	}
	return false
}

// ValidateConstraint reports whether a version constraint parses in the
// ecosystem's syntax.
func ValidateConstraint(eco Ecosystem, constraint string) (err error) {
	defer func() {
		if recover() != nil {
			err = fmt.Errorf("version constraint %q: does not parse", constraint)
		}
	}()
	if strings.TrimSpace(constraint) == "" {
		return errors.New("version constraint is empty")
	}
	if len(constraint) > maxConstraintLen {
		return fmt.Errorf("version constraint %.30q…: longer than %d characters", constraint, maxConstraintLen)
	}
	switch eco {
	case PyPI:
		if _, err := pep440.NewSpecifiers(constraint); err != nil {
			return fmt.Errorf("version constraint %q: not a PEP 440 specifier set such as \">=2,<3\"", constraint)
		}
		return nil
	case NPM:
		if _, err := semver.NewConstraint(constraint); err != nil {
			return fmt.Errorf("version constraint %q: not a semver range such as \"^1.2.0\": %w", constraint, err)
		}
		return nil
	}
	return fmt.Errorf("version constraint %q: unknown ecosystem %q", constraint, eco)
}

// maxNameLen bounds list patterns (npm's limit is 214; PyPI has none but
// real names are far shorter).
const maxNameLen = 214

// ValidateEntry reports every problem with a list entry, joined.
func ValidateEntry(e ListEntry) error {
	var errs []error
	if e.Kind != Allowlist && e.Kind != Deny {
		errs = append(errs, fmt.Errorf("kind %q: want allow or deny", e.Kind))
	}
	ecoOK := slices.Contains(Ecosystems(), e.Ecosystem)
	if !ecoOK {
		errs = append(errs, fmt.Errorf("ecosystem %q: want pypi or npm", e.Ecosystem))
	}
	if err := validatePattern(e.Ecosystem, e.Pattern, ecoOK); err != nil {
		errs = append(errs, err)
	}
	if strings.TrimSpace(e.Versions) != "" && ecoOK {
		if err := ValidateConstraint(e.Ecosystem, e.Versions); err != nil {
			errs = append(errs, err)
		}
	}
	if !e.Expires.IsZero() && !e.Created.IsZero() && !e.Expires.After(e.Created) {
		errs = append(errs, fmt.Errorf("expires %s: not after created %s",
			e.Expires.UTC().Format(time.RFC3339), e.Created.UTC().Format(time.RFC3339)))
	}
	return errors.Join(errs...)
}

func validatePattern(eco Ecosystem, pattern string, ecoOK bool) error {
	if strings.TrimSpace(pattern) == "" {
		return errors.New("pattern is empty")
	}
	if pattern != strings.TrimSpace(pattern) {
		return fmt.Errorf("pattern %q: leading or trailing spaces", pattern)
	}
	if len(pattern) > maxNameLen {
		return fmt.Errorf("pattern %.30q…: longer than %d characters", pattern, maxNameLen)
	}
	if _, err := path.Match(pattern, ""); err != nil {
		return fmt.Errorf("pattern %q: bad glob: %w", pattern, err)
	}
	if !ecoOK {
		return nil
	}
	for _, r := range pattern {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9',
			r == '-', r == '_', r == '.', r == '*', r == '?':
		case eco == NPM && (r == '@' || r == '/' || r == '~'):
		default:
			return fmt.Errorf("pattern %q: character %q is not allowed in %s names (use letters, digits, - _ . and the globs * ?)",
				pattern, r, registryName(eco))
		}
	}
	if eco == NPM {
		scope, rest, scoped := strings.Cut(pattern, "/")
		switch {
		case scoped && (!strings.HasPrefix(scope, "@") || len(scope) < 2 || rest == "" || strings.ContainsAny(rest, "/@")):
			return fmt.Errorf("pattern %q: a scoped npm name looks like @scope/name", pattern)
		case !scoped && strings.Contains(pattern, "@"):
			return fmt.Errorf("pattern %q: \"@\" only starts a scope (@scope/name)", pattern)
		case scoped && strings.Contains(scope[1:], "@"):
			return fmt.Errorf("pattern %q: a scoped npm name looks like @scope/name", pattern)
		}
	}
	return nil
}

// StaticLists serves allow and deny entries held in memory, such as those
// from the config file.
type StaticLists []ListEntry

var _ Lists = StaticLists(nil)

// Match returns the deciding entry (see MatchEntries); it never fails.
func (l StaticLists) Match(_ context.Context, ref Ref, now time.Time) (*ListEntry, error) {
	return MatchEntries(l, ref, now), nil
}

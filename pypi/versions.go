package pypi

import (
	"slices"
	"strings"

	pep440 "github.com/aquasecurity/go-pep440-version"
)

// parseVersion parses a PEP 440 version.
func parseVersion(v string) (pep440.Version, bool) {
	if v == "" || len(v) > 256 {
		return pep440.Version{}, false
	}
	pv, err := pep440.Parse(v)
	if err != nil {
		return pep440.Version{}, false
	}
	return pv, true
}

// IsPrerelease reports whether v is a PEP 440 pre- or development release.
// Versions that do not parse are not prereleases.
func IsPrerelease(v string) bool {
	pv, ok := parseVersion(v)
	return ok && pv.IsPreRelease()
}

// CompareVersions orders two version strings by PEP 440. Versions that do not
// parse sort before every valid version, and among themselves by string.
func CompareVersions(a, b string) int {
	pa, okA := parseVersion(a)
	pb, okB := parseVersion(b)
	switch {
	case okA && okB:
		if c := pa.Compare(pb); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	case okA:
		return 1
	case okB:
		return -1
	}
	return strings.Compare(a, b)
}

// SortVersions sorts versions in place, oldest first, by PEP 440 ordering
// (see CompareVersions for versions that do not parse).
func SortVersions(versions []string) {
	slices.SortStableFunc(versions, CompareVersions)
}

// NewestVersion returns the highest valid PEP 440 version in versions,
// skipping pre- and development releases unless includePre is set. It
// returns "" when no version qualifies.
func NewestVersion(versions []string, includePre bool) string {
	var best string
	var bestV pep440.Version
	for _, v := range versions {
		pv, ok := parseVersion(v)
		if !ok || (!includePre && pv.IsPreRelease()) {
			continue
		}
		if best == "" || pv.GreaterThan(bestV) {
			best, bestV = v, pv
		}
	}
	return best
}

// IsValidVersion reports whether v is a valid PEP 440 version.
func IsValidVersion(v string) bool {
	_, ok := parseVersion(v)
	return ok
}

// EqualVersions reports whether a and b are the same PEP 440 version
// ("1.0" equals "1.0.0"); strings that do not parse are equal only when
// identical.
func EqualVersions(a, b string) bool {
	if a == b {
		return true
	}
	pa, okA := parseVersion(a)
	pb, okB := parseVersion(b)
	return okA && okB && pa.Equal(pb)
}

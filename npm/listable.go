package npm

import (
	"sort"

	"github.com/Masterminds/semver/v3"
)

// ListableHidden returns the hidden versions that can stay listed, marked
// deprecated, in a document served to a client that prefers the highest
// non-deprecated version satisfying a range and falls back to the highest
// deprecated one only when every candidate is deprecated (yarn berry's
// npm resolver). Such a client never picks a listed hidden version while an
// allowed, non-deprecated version satisfies the range; when only hidden
// versions do, it picks one and its tarball download is refused with the
// reason, instead of "no candidates" without one.
//
// A hidden version is left out when listing it could change an install that
// works without it: some allowed version below it is deprecated (upstream or
// by the proxy: deprecated reports both) with no allowed, stable,
// non-deprecated version in between, because a range holding both would then
// resolve to the hidden version instead of the deprecated allowed one. Every
// range that is one interval (^, ~, >=, x - y, exact versions) is covered; a
// union of intervals (a || b) that skips the versions in between is not.
// Versions that are not strict semver, or whose tarball the proxy cannot
// route, neither shield nor get listed.
func ListableHidden(ix *Index, hidden, deprecated func(string) bool) map[string]bool {
	type entry struct {
		sv *semver.Version
		vi *VersionInfo
		// strict: the client's own semver parser accepts it too
		strict bool
	}
	var all []entry
	for i := range ix.Versions {
		vi := &ix.Versions[i]
		sv, err := semver.NewVersion(vi.Version)
		if err != nil {
			continue
		}
		_, strictErr := semver.StrictNewVersion(vi.Version)
		all = append(all, entry{sv, vi, strictErr == nil})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].sv.LessThan(all[j].sv) })
	out := map[string]bool{}
	// exposed is true while the nearest allowed version below (skipping
	// non-deprecated prereleases, which interval ranges usually exclude) is
	// deprecated.
	exposed := false
	for _, e := range all {
		v := e.vi.Version
		base := TarballBasename(e.vi.TarballURL)
		routable := base != "" && ix.VersionForTarball(base) == e.vi
		switch {
		case hidden(v):
			if !exposed && routable && e.strict {
				out[v] = true
			}
		case !routable:
			// hidden by Filter when it rewrites tarball URLs: no shield
		case deprecated(v):
			exposed = true
		case e.sv.Prerelease() == "" && e.strict:
			exposed = false
		}
	}
	return out
}

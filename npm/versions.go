package npm

import "github.com/Masterminds/semver/v3"

// NewestVersion returns the highest valid semver version in versions ("" if
// none parses), the npm counterpart of pypi.NewestVersion.
func NewestVersion(versions []string) string {
	var best *semver.Version
	var bestRaw string
	for _, v := range versions {
		sv, err := semver.StrictNewVersion(v)
		if err != nil {
			continue
		}
		if best == nil || sv.GreaterThan(best) {
			best, bestRaw = sv, v
		}
	}
	return bestRaw
}

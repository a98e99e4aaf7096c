package npm

import (
	"regexp"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// IsRange reports whether spec is an npm range or dist-tag rather than an
// exact version.
func IsRange(spec string) bool {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return false
	}
	_, err := semver.StrictNewVersion(strings.TrimPrefix(strings.TrimPrefix(spec, "="), "v"))
	return err != nil
}

// ValidRange reports whether spec parses as an npm semver range (every
// "||" alternative a constraint; an empty alternative means "*").
func ValidRange(spec string) bool {
	spec = strings.TrimSpace(spec)
	if spec == "" || len(spec) > 256 {
		return false
	}
	for _, set := range strings.Split(spec, "||") {
		set = strings.TrimSpace(set)
		if set == "" {
			continue
		}
		if _, err := semver.NewConstraint(set); err != nil {
			return false
		}
	}
	return true
}

// MaxSatisfying returns the highest of versions that satisfies the range
// (node-semver's prerelease rule), as registry.npmjs.org answers a range on
// its version route; ok is false when none does.
func MaxSatisfying(rng string, versions []string) (string, bool) {
	return ResolveRange(rng, versions, nil)
}

var rangeVersion = regexp.MustCompile(`\d+\.\d+\.\d+-[0-9A-Za-z.-]+`)

// SatisfiesRange reports whether version satisfies an npm range, with
// node-semver's prerelease rule: a prerelease satisfies only a comparator
// set that names a prerelease of the same major.minor.patch.
func SatisfiesRange(rng, version string) bool {
	v, err := semver.StrictNewVersion(version)
	if err != nil {
		return false
	}
	rng = strings.TrimSpace(rng)
	if rng == "" || rng == "*" || rng == "x" || rng == "latest" {
		return v.Prerelease() == ""
	}
	for _, set := range strings.Split(rng, "||") {
		set = strings.TrimSpace(set)
		if set == "" {
			set = "*"
		}
		c, err := semver.NewConstraint(set)
		if err != nil {
			continue
		}
		if v.Prerelease() != "" {
			same := false
			for _, lit := range rangeVersion.FindAllString(set, -1) {
				if lv, err := semver.NewVersion(lit); err == nil && lv.Major() == v.Major() && lv.Minor() == v.Minor() && lv.Patch() == v.Patch() {
					same = true
				}
			}
			if !same {
				continue
			}
			c.IncludePrerelease = true
		}
		if c.Check(v) {
			return true
		}
	}
	return false
}

// ResolveRange picks the version npm installs for spec among allowed
// versions, as npm-pick-manifest does: a dist-tag names its version; for a
// range, the version the "latest" tag names wins when it satisfies the
// range, else the highest satisfying version. ok is false when nothing
// matches (or spec is not a valid range).
func ResolveRange(spec string, allowed []string, distTags map[string]string) (string, bool) {
	spec = strings.TrimSpace(spec)
	if v, isTag := distTags[spec]; isTag {
		for _, a := range allowed {
			if a == v {
				return v, true
			}
		}
		return "", false
	}
	if spec == "" {
		spec = "*"
	}
	if latest := distTags["latest"]; latest != "" {
		for _, a := range allowed {
			if a == latest && SatisfiesRange(spec, a) {
				return a, true
			}
		}
	}
	var best *semver.Version
	var bestRaw string
	for _, a := range allowed {
		if !SatisfiesRange(spec, a) {
			continue
		}
		v, _ := semver.StrictNewVersion(a)
		if best == nil || v.GreaterThan(best) {
			best, bestRaw = v, a
		}
	}
	return bestRaw, best != nil
}

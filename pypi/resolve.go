package pypi

import (
	"strings"

	pep440 "github.com/aquasecurity/go-pep440-version"
)

// IsSpecifier reports whether spec is a PEP 440 specifier set (">=2,<3",
// "~=1.4") rather than a bare version.
func IsSpecifier(spec string) bool {
	spec = strings.TrimSpace(spec)
	return spec != "" && strings.ContainsAny(spec[:1], "<>=!~")
}

// ResolveSpecifier picks the version pip installs for a PEP 440 specifier
// set among candidates, as pip (packaging's SpecifierSet.filter) does:
// the highest matching final release; prereleases only when the specifier
// names one or when no final release matches; yanked releases only when
// the specifier pins them with == or ===. ok is false when nothing matches
// or the specifier is invalid.
func ResolveSpecifier(spec string, candidates []string, yanked func(string) bool) (string, bool) {
	spec = strings.TrimSpace(spec)
	ss, err := pep440.NewSpecifiers(spec)
	if err != nil {
		return "", false
	}
	specPre := false
	pinned := strings.HasPrefix(spec, "==") && !strings.Contains(spec, ",") && !strings.HasSuffix(spec, "*")
	for _, part := range strings.Split(spec, ",") {
		v := strings.TrimLeft(strings.TrimSpace(part), "<>=!~")
		if pv, ok := parseVersion(strings.TrimSuffix(v, ".*")); ok && pv.IsPreRelease() {
			specPre = true
		}
	}
	var finals, pres []string
	for _, c := range candidates {
		pv, ok := parseVersion(c)
		if !ok || !ss.Check(pv) {
			continue
		}
		if yanked != nil && yanked(c) && !pinned {
			continue
		}
		if pv.IsPreRelease() && !specPre {
			pres = append(pres, c)
			continue
		}
		finals = append(finals, c)
	}
	if best := NewestVersion(finals, true); best != "" {
		return best, true
	}
	if best := NewestVersion(pres, true); best != "" {
		return best, true
	}
	return "", false
}

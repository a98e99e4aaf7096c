package pypi

import "strings"

// sdistSuffixes are the archive suffixes of source distributions, longest
// first so that ".tar.gz" wins over ".gz"-like overlaps.
var sdistSuffixes = [...]string{".tar.gz", ".tar.bz2", ".tar.xz", ".tar.Z", ".tgz", ".tbz", ".zip", ".tar"}

// FileVersion extracts the version from a distribution filename of project:
// wheels ({name}-{ver}(-{build})?-{py}-{abi}-{plat}.whl), source archives
// ({name}-{ver}.tar.gz, .zip, .tar.bz2, .tgz, …; PEP 625 and legacy names)
// and eggs ({name}-{ver}(-pyX.Y(-{plat})?)?.egg). ok is false when the
// filename is not a distribution of project. A ".metadata" suffix must be
// stripped by the caller.
func FileVersion(project, filename string) (version string, ok bool) {
	want := Normalize(project)
	if want == "" || filename == "" || strings.ContainsAny(filename, "/\\") {
		return "", false
	}
	lower := strings.ToLower(filename)
	switch {
	case strings.HasSuffix(lower, ".whl"):
		parts := strings.Split(filename[:len(filename)-len(".whl")], "-")
		if len(parts) != 5 && len(parts) != 6 {
			return "", false
		}
		return checkParts(want, parts[0], parts[1])
	case strings.HasSuffix(lower, ".egg"):
		parts := strings.Split(filename[:len(filename)-len(".egg")], "-")
		if len(parts) < 2 {
			return "", false
		}
		return checkParts(want, parts[0], parts[1])
	}
	for _, suf := range sdistSuffixes {
		if strings.HasSuffix(lower, strings.ToLower(suf)) {
			return sdistVersion(want, filename[:len(filename)-len(suf)])
		}
	}
	return "", false
}

func checkParts(want, name, version string) (string, bool) {
	if version == "" || Normalize(name) != want {
		return "", false
	}
	return version, true
}

// sdistVersion splits base ("{name}-{version}") at the dash after which the
// prefix normalizes to the project name. Legacy names may contain dashes, so
// every split point is tried; a candidate that parses as PEP 440 wins.
func sdistVersion(want, base string) (string, bool) {
	first := ""
	for i := 0; i < len(base); i++ {
		if base[i] != '-' || i+1 >= len(base) {
			continue
		}
		if Normalize(base[:i]) != want {
			continue
		}
		v := base[i+1:]
		if _, ok := parseVersion(v); ok {
			return v, true
		}
		if first == "" {
			first = v
		}
	}
	return first, first != ""
}

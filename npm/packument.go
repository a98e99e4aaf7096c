package npm

import (
	"fmt"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// Index holds the facts of one packument (full or abbreviated), extracted in
// a single pass over the raw bytes without building a generic tree: memory
// grows with the number of versions, not with the size of readmes, per-version
// metadata or unknown fields. An Index is read-only after ParseIndex and safe
// for concurrent use.
type Index struct {
	Name     string
	DistTags map[string]string
	// Created and Modified come from time.created / time.modified (or the
	// abbreviated document's top-level "modified"); zero when absent.
	Created, Modified time.Time
	// Repository is the top-level repository as a URL string (see
	// RepositoryURL); Homepage the top-level homepage, both "" when absent.
	Repository string
	Homepage   string
	// Unpublished is set for npm's stub of a fully unpublished package:
	// time.unpublished present and no versions.
	Unpublished bool
	// Versions in document order.
	Versions []VersionInfo

	byVersion map[string]int
	byTarball map[string]int
}

// VersionInfo is what the proxy needs to know about one version.
type VersionInfo struct {
	Version string
	// Published is time[version]; zero when absent (abbreviated documents,
	// very old packages).
	Published  time.Time
	Deprecated string
	Repository string
	// TarballURL is dist.tarball as upstream wrote it.
	TarballURL string
	Integrity  string
	Shasum     string
	// HasInstallScript is the registry's hasInstallScript flag, or true when
	// scripts declare preinstall, install or postinstall.
	HasInstallScript bool
}

// ParseIndex extracts an Index from a packument. Errors for malformed or
// unexpected documents wrap policy.ErrUpstream.
func ParseIndex(body []byte) (*Index, error) {
	ix, err := parseIndex(body)
	if err != nil {
		return nil, fmt.Errorf("parse npm packument: %w: %w", policy.ErrUpstream, err)
	}
	return ix, nil
}

func parseIndex(b []byte) (*Index, error) {
	ix := &Index{DistTags: map[string]string{}}
	var times map[string]time.Time
	var unpublished bool
	seen := map[string]bool{}
	err := walkDocument(b, func(m member) error {
		k, err := m.key(b)
		if err != nil {
			return err
		}
		switch k {
		case "name", "versions", "time", "dist-tags", "modified":
			if seen[k] {
				return fmt.Errorf("duplicate top-level key %q", k)
			}
			seen[k] = true
		}
		val := b[m.ValStart:m.ValEnd]
		switch k {
		case "name":
			s, ok := stringValue(val)
			if !ok {
				return fmt.Errorf("name is not a string")
			}
			ix.Name = s
		case "dist-tags":
			return parseDistTags(b, m, ix.DistTags)
		case "versions":
			return parseVersions(b, m, ix)
		case "time":
			times, unpublished, err = parseTimes(b, m)
			return err
		case "modified":
			if s, ok := stringValue(val); ok {
				ix.Modified = parseTime(s)
			}
		case "repository":
			ix.Repository = RepositoryURL(val)
		case "homepage":
			if s, ok := stringValue(val); ok {
				ix.Homepage = strings.TrimSpace(s)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if ix.Name == "" {
		return nil, fmt.Errorf("document has no name")
	}
	if t, ok := times["created"]; ok {
		ix.Created = t
	}
	if t, ok := times["modified"]; ok && ix.Modified.IsZero() {
		ix.Modified = t
	}
	ix.byVersion = make(map[string]int, len(ix.Versions))
	ix.byTarball = make(map[string]int, len(ix.Versions))
	for i := range ix.Versions {
		v := &ix.Versions[i]
		if t, ok := times[v.Version]; ok {
			v.Published = t
		}
		if _, dup := ix.byVersion[v.Version]; dup {
			return nil, fmt.Errorf("duplicate version %q", v.Version)
		}
		ix.byVersion[v.Version] = i
		if base := TarballBasename(v.TarballURL); base != "" {
			if _, dup := ix.byTarball[base]; !dup {
				ix.byTarball[base] = i
			}
		}
	}
	ix.Unpublished = unpublished && len(ix.Versions) == 0
	return ix, nil
}

func parseDistTags(b []byte, m member, into map[string]string) error {
	if b[m.ValStart] != '{' {
		return fmt.Errorf("dist-tags is not an object")
	}
	_, err := walkObject(b, m.ValStart, 1, func(t member) error {
		k, err := t.key(b)
		if err != nil {
			return err
		}
		if v, ok := stringValue(b[t.ValStart:t.ValEnd]); ok {
			into[k] = v
		}
		return nil
	})
	return err
}

func parseTimes(b []byte, m member) (map[string]time.Time, bool, error) {
	if b[m.ValStart] != '{' {
		return nil, false, fmt.Errorf("time is not an object")
	}
	times := map[string]time.Time{}
	unpublished := false
	_, err := walkObject(b, m.ValStart, 1, func(t member) error {
		k, err := t.key(b)
		if err != nil {
			return err
		}
		if k == "unpublished" {
			unpublished = true
			return nil
		}
		if s, ok := stringValue(b[t.ValStart:t.ValEnd]); ok {
			if tm := parseTime(s); !tm.IsZero() {
				times[k] = tm
			}
		}
		return nil
	})
	return times, unpublished, err
}

// parseTime accepts the registry's ISO-8601 timestamps; zero when unparsable.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

func parseVersions(b []byte, m member, ix *Index) error {
	if b[m.ValStart] != '{' {
		return fmt.Errorf("versions is not an object")
	}
	_, err := walkObject(b, m.ValStart, 1, func(vm member) error {
		v, err := vm.key(b)
		if err != nil {
			return err
		}
		vi := VersionInfo{Version: v}
		if b[vm.ValStart] == '{' {
			if err := parseVersion(b, vm.ValStart, &vi); err != nil {
				return fmt.Errorf("version %q: %w", v, err)
			}
		}
		ix.Versions = append(ix.Versions, vi)
		return nil
	})
	return err
}

func parseVersion(b []byte, start int, vi *VersionInfo) error {
	var installScript bool
	_, err := walkObject(b, start, 2, func(f member) error {
		val := b[f.ValStart:f.ValEnd]
		switch {
		case f.keyIs(b, "deprecated"):
			// Some old documents carry deprecated: false or "".
			if s, ok := stringValue(val); ok {
				vi.Deprecated = s
			}
		case f.keyIs(b, "repository"):
			vi.Repository = RepositoryURL(val)
		case f.keyIs(b, "hasInstallScript"):
			if string(val) == "true" {
				vi.HasInstallScript = true
			}
		case f.keyIs(b, "scripts"):
			if val[0] == '{' {
				_, err := walkObject(b, f.ValStart, 3, func(s member) error {
					if s.keyIs(b, "preinstall") || s.keyIs(b, "install") || s.keyIs(b, "postinstall") {
						installScript = true
					}
					return nil
				})
				return err
			}
		case f.keyIs(b, "dist"):
			if val[0] == '{' {
				_, err := walkObject(b, f.ValStart, 3, func(d member) error {
					dv := b[d.ValStart:d.ValEnd]
					switch {
					case d.keyIs(b, "tarball"):
						vi.TarballURL, _ = stringValue(dv)
					case d.keyIs(b, "integrity"):
						vi.Integrity, _ = stringValue(dv)
					case d.keyIs(b, "shasum"):
						vi.Shasum, _ = stringValue(dv)
					}
					return nil
				})
				return err
			}
		}
		return nil
	})
	vi.HasInstallScript = vi.HasInstallScript || installScript
	return err
}

// Version returns the version with exactly that version string, or nil.
func (ix *Index) Version(v string) *VersionInfo {
	if ix.byVersion != nil {
		if i, ok := ix.byVersion[v]; ok {
			return &ix.Versions[i]
		}
		return nil
	}
	for i := range ix.Versions {
		if ix.Versions[i].Version == v {
			return &ix.Versions[i]
		}
	}
	return nil
}

// VersionForTarball maps a tarball basename ("name-1.0.0.tgz") to the version
// whose dist.tarball ends in it, or nil. The filename is never parsed: other
// registries use other naming schemes. When two versions share a basename,
// the first in document order wins.
func (ix *Index) VersionForTarball(basename string) *VersionInfo {
	if basename == "" {
		return nil
	}
	if ix.byTarball != nil {
		if i, ok := ix.byTarball[basename]; ok {
			return &ix.Versions[i]
		}
		return nil
	}
	for i := range ix.Versions {
		if TarballBasename(ix.Versions[i].TarballURL) == basename {
			return &ix.Versions[i]
		}
	}
	return nil
}

// isPrerelease reports whether v is a semver prerelease; unparsable versions
// count as prereleases when they contain a "-".
func isPrerelease(v string) bool {
	sv, err := semver.NewVersion(v)
	if err != nil {
		return strings.Contains(v, "-")
	}
	return sv.Prerelease() != ""
}

// Facts converts the index into the policy vocabulary. Package.Name is the
// canonical (lower-case) name; Repositories holds the repository of the
// version `latest` names (else the top-level one) and the homepage; each release carries its tarball as its one file. Created is
// time.created, or the earliest version time when that is missing. A fully
// unpublished package exists with no releases and StatusUnpublished; a
// package whose latest (or only) version is npm's security placeholder (policy.IsNPMSecurityHolding)
// gets StatusSecurityHolding. Download signals are left unknown (-1).
func (ix *Index) Facts() *policy.Package {
	p := &policy.Package{
		Ecosystem: policy.NPM,
		Name:      Canonical(ix.Name),
		Exists:    true,
		Created:   ix.Created,
		Signals:   policy.Signals{WeeklyDownloads: -1},
	}
	// The registry copies the top-level repository from whichever version
	// was published last (a backport, a prerelease); the package is what
	// `latest` installs, so its repository comes first when it declares one.
	repo := ix.Repository
	if v := ix.Version(ix.DistTags["latest"]); v != nil && v.Repository != "" {
		repo = v.Repository
	}
	for _, u := range []string{repo, ix.Homepage} {
		if u != "" {
			p.Repositories = append(p.Repositories, u)
		}
	}
	if ix.Unpublished {
		p.Status = policy.StatusUnpublished
		p.StatusReason = "every version of this package was unpublished from npm"
		return p
	}
	var earliest time.Time
	p.Releases = make([]policy.Release, 0, len(ix.Versions))
	for _, v := range ix.Versions {
		r := policy.Release{
			Version:    v.Version,
			Published:  v.Published,
			Deprecated: v.Deprecated,
			Prerelease: isPrerelease(v.Version),
		}
		if v.Repository != "" {
			r.Repositories = []string{v.Repository}
		}
		if base := TarballBasename(v.TarballURL); base != "" {
			r.Files = []policy.File{{Name: base, Uploaded: v.Published}}
		}
		if !v.Published.IsZero() && (earliest.IsZero() || v.Published.Before(earliest)) {
			earliest = v.Published
		}
		p.Releases = append(p.Releases, r)
	}
	if p.Created.IsZero() {
		p.Created = earliest
	}
	latest, hasLatest := ix.DistTags["latest"]
	if (hasLatest && policy.IsNPMSecurityHolding(latest)) || (len(ix.Versions) == 1 && policy.IsNPMSecurityHolding(ix.Versions[0].Version)) {
		p.Status = policy.StatusSecurityHolding
		p.StatusReason = "npm replaced this package with a security holding package after removing malicious code"
	}
	return p
}

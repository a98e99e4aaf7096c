package pypi

import (
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// Project is one simple API project page, parsed from either representation.
type Project struct {
	Name string // normalized
	// APIVersion is upstream's meta api-version ("1.0" when the page does
	// not say). Its major is always 1.
	APIVersion string
	// LastSerial is upstream's _last-serial, 0 when absent.
	LastSerial int64
	// Status and StatusReason are the PEP 792 project status ("" = active).
	Status       string
	StatusReason string
	// Versions lists every version (PEP 700), including versions without
	// files; for HTML pages it is derived from the files. Oldest first.
	Versions []string
	Files    []File
}

// File is one distribution file listed on a project page.
type File struct {
	Filename string
	// URL is absolute when the page URL was known, without a hash fragment.
	URL string
	// Hashes maps hash names to hex digests (never nil after parsing).
	Hashes         map[string]string
	RequiresPython string
	// CoreMetadata describes the PEP 658 ".metadata" sibling: nil = none,
	// an empty non-nil map = available without a hash.
	CoreMetadata map[string]string
	Yanked       bool
	YankedReason string
	Size         int64     // -1 when unknown (HTML pages)
	UploadTime   time.Time // zero when unknown (HTML pages)
	Provenance   string
	GPGSig       *bool
	// Version is parsed from the filename; "" when it cannot be.
	Version string
}

// uploadTimeLayout is the PEP 700 upload-time format as Warehouse writes it.
const uploadTimeLayout = "2006-01-02T15:04:05.000000Z"

// maxDocBytes bounds what the parsers accept; larger documents are refused
// rather than parsed.
const maxDocBytes = 256 << 20

// checkAPIVersion validates a "major.minor" api-version string and returns
// it, defaulting to "1.0". Only major 1 is understood.
func checkAPIVersion(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "1.0", nil
	}
	major, minor, ok := strings.Cut(v, ".")
	if !ok {
		return "", fmt.Errorf("api-version %q: %w", v, policy.ErrUpstream)
	}
	if _, err := strconv.ParseUint(minor, 10, 32); err != nil {
		return "", fmt.Errorf("api-version %q: %w", v, policy.ErrUpstream)
	}
	if major != "1" {
		return "", fmt.Errorf("unsupported api-version %q: %w", v, policy.ErrUpstream)
	}
	return v, nil
}

// resolveURL resolves ref against base (when known) and drops the fragment.
// The fragment is returned separately.
func resolveURL(base *url.URL, ref string) (resolved, fragment string, err error) {
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return "", "", err
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	fragment = u.Fragment
	u.Fragment, u.RawFragment = "", ""
	return u.String(), fragment, nil
}

// nameFromPageURL derives the normalized project name from a page URL
// ending in /<name>/.
func nameFromPageURL(pageURL *url.URL) string {
	if pageURL == nil {
		return ""
	}
	return Normalize(path.Base(strings.TrimSuffix(pageURL.Path, "/")))
}

// finish fills the derived fields of a parsed project: file versions and the
// version list (upstream's list plus every file's version, sorted).
func (p *Project) finish(upstreamVersions []string) {
	seen := make(map[string]bool, len(upstreamVersions))
	var versions []string
	add := func(v string) {
		if v != "" && !seen[v] {
			seen[v] = true
			versions = append(versions, v)
		}
	}
	for _, v := range upstreamVersions {
		add(v)
	}
	for i := range p.Files {
		f := &p.Files[i]
		if f.Hashes == nil {
			f.Hashes = map[string]string{}
		}
		if v, ok := FileVersion(p.Name, f.Filename); ok {
			f.Version = v
		}
		add(f.Version)
	}
	SortVersions(versions)
	if versions == nil {
		versions = []string{}
	}
	p.Versions = versions
}

// hashFragment returns "name=hex" for an HTML href fragment: sha256 when
// present, else the alphabetically first hash.
func hashFragment(h map[string]string) string {
	if v, ok := h["sha256"]; ok {
		return "sha256=" + v
	}
	first := ""
	for k := range h {
		if first == "" || k < first {
			first = k
		}
	}
	if first == "" {
		return ""
	}
	return first + "=" + h[first]
}

// parseHashFragment parses "name=hex" into a single-entry map; anything else
// yields an empty map.
func parseHashFragment(frag string) map[string]string {
	name, val, ok := strings.Cut(frag, "=")
	if !ok || name == "" || val == "" {
		return map[string]string{}
	}
	return map[string]string{strings.ToLower(name): val}
}

// parseUploadTime parses a PEP 700 upload-time, truncated to microseconds.
func parseUploadTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC().Truncate(time.Microsecond), nil
}

// Filter returns a copy of p holding the files for which keep returns true
// (keep may modify the file it is given, e.g. to yank it or rewrite its
// URL; the copy's files are independent of p's, their maps are not).
// Versions that lose every file are dropped from Versions; versions that had
// no files upstream stay.
func (p *Project) Filter(keep func(f *File) bool) *Project {
	out := *p
	out.Files = make([]File, 0, len(p.Files))
	had := map[string]bool{}
	kept := map[string]bool{}
	for _, f := range p.Files {
		had[f.Version] = true
		if keep(&f) {
			kept[f.Version] = true
			out.Files = append(out.Files, f)
		}
	}
	out.Versions = make([]string, 0, len(p.Versions))
	for _, v := range p.Versions {
		if !had[v] || kept[v] {
			out.Versions = append(out.Versions, v)
		}
	}
	return &out
}

package npm

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/Masterminds/semver/v3"
)

// ErrNoVersions is returned by Filter, before anything is written, when no
// version would remain. npm answers an empty document with a bare
// "ENOVERSIONS", so the caller should send a block response instead.
var ErrNoVersions = errors.New("no versions left after filtering")

// FilterOptions says how Filter rewrites a packument. Every function field
// may be nil, meaning "no change".
type FilterOptions struct {
	// Hide reports versions to remove from "versions" and "time". Filter
	// calls it once per version.
	Hide func(version string) bool
	// Untag reports versions that stay in "versions" and "time" but that no
	// dist-tag may name: tags pointing at them move as they would if the
	// version were hidden (see ListableHidden, for clients shown hidden
	// versions marked deprecated).
	Untag func(version string) bool
	// ExtraDistTags are added to "dist-tags" after upstream's (re-pointed)
	// tags. A tag whose name upstream already uses, or whose version does
	// not remain in the document or is untagged, is left out, so that every
	// tag names a version the document lists.
	ExtraDistTags []DistTag
	// Deprecate returns a warning for a remaining version; a non-empty
	// result replaces versions[v].deprecated (npm and pnpm print it). To keep
	// upstream's message, combine it with Index.Version(v).Deprecated.
	Deprecate func(version string) string
	// TarballURL returns the absolute URL that replaces dist.tarball, given
	// the packument name and the upstream tarball's basename.
	TarballURL func(name, basename string) string
	// Abbreviated emits the corgi projection (application/vnd.npm.install-v1+json):
	// name, modified, dist-tags and versions reduced to the install fields,
	// plus "time" (hidden versions removed) so that pnpm's release-age checks
	// can skip the full document.
	Abbreviated bool
}

// corgiField reports whether a version member belongs to an abbreviated
// packument (npm/registry docs/responses/package-metadata.md).
func corgiField(b []byte, m member) bool {
	for _, k := range [...]string{"name", "version", "deprecated", "dependencies", "optionalDependencies",
		"devDependencies", "bundleDependencies", "peerDependencies",
		"peerDependenciesMeta", "acceptDependencies", "bin", "directories",
		"dist", "engines", "_hasShrinkwrap", "hasInstallScript", "funding",
		"cpu", "os"} {
		if m.keyIs(b, k) {
			return true
		}
	}
	return false
}

// Remaining counts the versions of ix that hide leaves in place.
func Remaining(ix *Index, hide func(string) bool) int {
	n := 0
	for _, v := range ix.Versions {
		if hide == nil || !hide(v.Version) {
			n++
		}
	}
	return n
}

// NewestAllowed returns the version dist-tags.latest names after filtering
// with hide (see Filter for the re-pointing rule), or "" when latest would be
// dropped or the document has none.
func NewestAllowed(ix *Index, hide func(string) bool) string {
	hidden := hiddenSet(ix, hide)
	tags := retag(ix, hidden)
	return tags["latest"]
}

func hiddenSet(ix *Index, hide func(string) bool) map[string]bool {
	hidden := map[string]bool{}
	if hide == nil {
		return hidden
	}
	for _, v := range ix.Versions {
		if hide(v.Version) {
			hidden[v.Version] = true
		}
	}
	return hidden
}

// unroutable hides versions whose tarball cannot be rewritten to a proxy URL
// that maps back to them: no usable dist.tarball basename, or a basename
// another version already claims (VersionForTarball would serve the other
// one). Left in place they would send clients around the proxy, or to the
// wrong file.
func unroutable(ix *Index, hidden map[string]bool) {
	for i := range ix.Versions {
		v := &ix.Versions[i]
		if hidden[v.Version] {
			continue
		}
		base := TarballBasename(v.TarballURL)
		if base == "" || ix.VersionForTarball(base) != v {
			hidden[v.Version] = true
		}
	}
}

// retag computes dist-tags after hiding versions. A tag naming a hidden
// version moves to the highest remaining version ≤ its old target; for
// "latest" only non-prerelease versions qualify unless the old target was
// itself a prerelease and no stable one remains. Tags naming versions absent
// from the document are repaired the same way. Tags with nowhere to go are
// absent from the result. Tags naming versions that are not hidden are kept.
func retag(ix *Index, hidden map[string]bool) map[string]string {
	out := make(map[string]string, len(ix.DistTags))
	var remaining []*semver.Version
	parsed := false
	for tag, target := range ix.DistTags {
		// A target missing from "versions" (an unpublished version, a
		// broken upstream) is repaired like a hidden one: npm answers
		// pkg@<tag> with ETARGET otherwise.
		if !hidden[target] && ix.Version(target) != nil {
			out[tag] = target
			continue
		}
		if !parsed {
			parsed = true
			for _, v := range ix.Versions {
				if hidden[v.Version] {
					continue
				}
				if sv, err := semver.NewVersion(v.Version); err == nil {
					remaining = append(remaining, sv)
				}
			}
			sort.Sort(sort.Reverse(semver.Collection(remaining)))
		}
		old, err := semver.NewVersion(target)
		if err != nil {
			continue
		}
		pick := func(stableOnly bool) string {
			for _, sv := range remaining {
				if sv.GreaterThan(old) || (stableOnly && sv.Prerelease() != "") {
					continue
				}
				return sv.Original()
			}
			return ""
		}
		nv := pick(tag == "latest")
		if nv == "" && tag == "latest" && old.Prerelease() != "" {
			nv = pick(false)
		}
		if nv != "" {
			out[tag] = nv
		}
	}
	return out
}

// Filter writes body, a packument, to w with the changes opts asks for. ix
// must be ParseIndex(body) (nil parses it). It removes hidden versions from
// "versions" and "time", re-points dist-tags (see NewestAllowed), sets
// deprecation warnings, rewrites dist.tarball URLs and, in abbreviated mode,
// projects the document to the corgi fields. Everything else — unknown
// fields, readme, users, integrity, shasum, signatures — is copied
// byte-for-byte; whitespace between members is dropped. When TarballURL is
// set, versions whose tarball cannot be routed back through the proxy (no
// dist.tarball basename, or one shared with an earlier version) are hidden
// too, so that no client is sent around the proxy. It returns ErrNoVersions
// before writing when no version would remain.
//
// Memory: Filter never copies the document; beyond ix it allocates O(number
// of versions) plus a 32 KiB write buffer, so filtering a document held in
// memory costs far less than its size (see TestFilterLargeMemory).
func Filter(w io.Writer, body []byte, ix *Index, opts FilterOptions) error {
	if ix == nil {
		var err error
		if ix, err = ParseIndex(body); err != nil {
			return err
		}
	}
	hidden := hiddenSet(ix, opts.Hide)
	if opts.TarballURL != nil {
		unroutable(ix, hidden)
	}
	if len(ix.Versions)-len(hidden) <= 0 {
		return fmt.Errorf("filter %s: %w", ix.Name, ErrNoVersions)
	}
	f := &filterer{
		b:      body,
		ix:     ix,
		opts:   opts,
		hidden: hidden,
		tags:   retag(ix, untagged(ix, hidden, opts.Untag)),
		w:      bufio.NewWriterSize(w, 32<<10),
	}
	f.extra = f.extraTags()
	var err error
	if opts.Abbreviated {
		err = f.abbreviated()
	} else {
		err = f.full()
	}
	if err != nil {
		return fmt.Errorf("filter %s: %w", ix.Name, err)
	}
	if err := f.w.Flush(); err != nil {
		return fmt.Errorf("filter %s: write: %w", ix.Name, err)
	}
	return nil
}

type filterer struct {
	b      []byte
	ix     *Index
	opts   FilterOptions
	hidden map[string]bool
	tags   map[string]string
	extra  []DistTag
	w      *bufio.Writer
}

// DistTag is one dist-tag: a name and the version it points at.
type DistTag struct {
	Name, Version string
}

// untagged returns hidden plus the versions untag reports (a new map when
// untag adds any).
func untagged(ix *Index, hidden map[string]bool, untag func(string) bool) map[string]bool {
	if untag == nil {
		return hidden
	}
	out := make(map[string]bool, len(hidden))
	for v := range hidden {
		out[v] = true
	}
	for _, v := range ix.Versions {
		if untag(v.Version) {
			out[v.Version] = true
		}
	}
	return out
}

// extraTags keeps the ExtraDistTags that name a listed, taggable version
// and no tag upstream already has.
func (f *filterer) extraTags() []DistTag {
	var out []DistTag
	seen := map[string]bool{}
	for _, t := range f.opts.ExtraDistTags {
		_, upstream := f.ix.DistTags[t.Name]
		if upstream || seen[t.Name] || t.Name == "" || f.ix.Version(t.Version) == nil || f.hidden[t.Version] ||
			(f.opts.Untag != nil && f.opts.Untag(t.Version)) {
			continue
		}
		seen[t.Name] = true
		out = append(out, t)
	}
	return out
}

// obj writes a JSON object member by member, inserting commas.
type obj struct {
	w *bufio.Writer
	n int
}

func (o *obj) open()  { o.w.WriteByte('{') }
func (o *obj) close() { o.w.WriteByte('}') }

// raw writes one member from a quoted key and a raw value.
func (o *obj) raw(key, val []byte) {
	if o.n > 0 {
		o.w.WriteByte(',')
	}
	o.n++
	o.w.Write(key)
	o.w.WriteByte(':')
	o.w.Write(val)
}

// start begins a member whose value the caller writes next.
func (o *obj) start(key []byte) {
	if o.n > 0 {
		o.w.WriteByte(',')
	}
	o.n++
	o.w.Write(key)
	o.w.WriteByte(':')
}

func quote(s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return q
}

func (f *filterer) keyOf(m member) []byte { return f.b[m.KeyStart:m.KeyEnd] }
func (f *filterer) valOf(m member) []byte { return f.b[m.ValStart:m.ValEnd] }

func (f *filterer) full() error {
	top := obj{w: f.w}
	top.open()
	err := walkDocument(f.b, func(m member) error {
		switch {
		case m.keyIs(f.b, "versions") && f.b[m.ValStart] == '{':
			top.start(f.keyOf(m))
			return f.versions(m)
		case m.keyIs(f.b, "time") && f.b[m.ValStart] == '{':
			top.start(f.keyOf(m))
			return f.times(m)
		case m.keyIs(f.b, "dist-tags") && f.b[m.ValStart] == '{':
			top.start(f.keyOf(m))
			return f.distTags(m)
		}
		top.raw(f.keyOf(m), f.valOf(m))
		return nil
	})
	top.close()
	return err
}

func (f *filterer) abbreviated() error {
	var name, modified, tags, versions, times *member
	err := walkDocument(f.b, func(m member) error {
		mm := m
		switch {
		case m.keyIs(f.b, "name"):
			name = &mm
		case m.keyIs(f.b, "modified"):
			modified = &mm
		case m.keyIs(f.b, "dist-tags") && f.b[m.ValStart] == '{':
			tags = &mm
		case m.keyIs(f.b, "versions") && f.b[m.ValStart] == '{':
			versions = &mm
		case m.keyIs(f.b, "time") && f.b[m.ValStart] == '{':
			times = &mm
		}
		return nil
	})
	if err != nil {
		return err
	}
	top := obj{w: f.w}
	top.open()
	if name != nil {
		top.raw(f.keyOf(*name), f.valOf(*name))
	}
	switch {
	case modified != nil:
		top.raw(f.keyOf(*modified), f.valOf(*modified))
	case !f.ix.Modified.IsZero():
		top.raw([]byte(`"modified"`), quote(f.ix.Modified.Format("2006-01-02T15:04:05.000Z07:00")))
	}
	if tags != nil {
		top.start(f.keyOf(*tags))
		if err := f.distTags(*tags); err != nil {
			return err
		}
	}
	if versions != nil {
		top.start(f.keyOf(*versions))
		if err := f.versions(*versions); err != nil {
			return err
		}
	}
	if times != nil {
		top.start(f.keyOf(*times))
		if err := f.times(*times); err != nil {
			return err
		}
	}
	top.close()
	return nil
}

func (f *filterer) distTags(m member) error {
	o := obj{w: f.w}
	o.open()
	_, err := walkObject(f.b, m.ValStart, 1, func(t member) error {
		k, err := t.key(f.b)
		if err != nil {
			return err
		}
		if _, isString := stringValue(f.valOf(t)); !isString {
			o.raw(f.keyOf(t), f.valOf(t))
			return nil
		}
		nv, ok := f.tags[k]
		switch {
		case !ok:
			// dropped: its version is hidden and nothing can replace it
		case nv == f.ix.DistTags[k]:
			o.raw(f.keyOf(t), f.valOf(t))
		default:
			o.raw(f.keyOf(t), quote(nv))
		}
		return nil
	})
	for _, t := range f.extra {
		o.raw(quote(t.Name), quote(t.Version))
	}
	o.close()
	return err
}

func (f *filterer) times(m member) error {
	o := obj{w: f.w}
	o.open()
	_, err := walkObject(f.b, m.ValStart, 1, func(t member) error {
		k, err := t.key(f.b)
		if err != nil {
			return err
		}
		if !f.hidden[k] {
			o.raw(f.keyOf(t), f.valOf(t))
		}
		return nil
	})
	o.close()
	return err
}

func (f *filterer) versions(m member) error {
	o := obj{w: f.w}
	o.open()
	_, err := walkObject(f.b, m.ValStart, 1, func(vm member) error {
		v, err := vm.key(f.b)
		if err != nil {
			return err
		}
		if f.hidden[v] {
			return nil
		}
		var msg string
		if f.opts.Deprecate != nil {
			msg = f.opts.Deprecate(v)
		}
		if f.b[vm.ValStart] != '{' || (msg == "" && f.opts.TarballURL == nil && !f.opts.Abbreviated) {
			o.raw(f.keyOf(vm), f.valOf(vm))
			return nil
		}
		o.start(f.keyOf(vm))
		return f.version(vm, v, msg)
	})
	o.close()
	return err
}

// version rewrites one version object.
func (f *filterer) version(vm member, v, msg string) error {
	o := obj{w: f.w}
	o.open()
	sawDeprecated, sawInstall := false, false
	var quotedMsg []byte
	if msg != "" {
		quotedMsg = quote(msg)
	}
	_, err := walkObject(f.b, vm.ValStart, 2, func(fm member) error {
		if f.opts.Abbreviated && !corgiField(f.b, fm) {
			return nil
		}
		switch {
		case msg != "" && fm.keyIs(f.b, "deprecated"):
			sawDeprecated = true
			o.raw(f.keyOf(fm), quotedMsg)
		case f.opts.TarballURL != nil && f.b[fm.ValStart] == '{' && fm.keyIs(f.b, "dist"):
			o.start(f.keyOf(fm))
			return f.dist(fm)
		default:
			if fm.keyIs(f.b, "hasInstallScript") {
				sawInstall = true
			}
			o.raw(f.keyOf(fm), f.valOf(fm))
		}
		return nil
	})
	if err != nil {
		return err
	}
	if msg != "" && !sawDeprecated {
		o.raw([]byte(`"deprecated"`), quotedMsg)
	}
	if f.opts.Abbreviated && !sawInstall {
		if vi := f.ix.Version(v); vi != nil && vi.HasInstallScript {
			o.raw([]byte(`"hasInstallScript"`), []byte("true"))
		}
	}
	o.close()
	return nil
}

func (f *filterer) dist(dm member) error {
	o := obj{w: f.w}
	o.open()
	_, err := walkObject(f.b, dm.ValStart, 3, func(d member) error {
		if d.keyIs(f.b, "tarball") {
			if old, ok := stringValue(f.valOf(d)); ok {
				if base := TarballBasename(old); base != "" {
					o.raw(f.keyOf(d), quote(f.opts.TarballURL(f.ix.Name, base)))
					return nil
				}
			}
		}
		o.raw(f.keyOf(d), f.valOf(d))
		return nil
	})
	o.close()
	return err
}

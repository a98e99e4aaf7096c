package proxy

import (
	"context"

	"errors"
	"fmt"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/npm"
	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/pypi"
)

// Check judges a package (and optionally one version) exactly as an install
// through the proxy would, without serving it: `vigil-proxy check` and the
// /api/v1/check endpoint use it. An error means the name could not be judged
// (invalid name, upstream failure with no cached copy).
func (s *Server) Check(ctx context.Context, eco policy.Ecosystem, name, version string) (policy.Report, error) {
	d, err := s.check(ctx, eco, name, version)
	if err != nil {
		return policy.Report{Ecosystem: eco, Name: name, Version: version, Verdict: policy.Block, Findings: []policy.Finding{}, Error: err.Error()}, err
	}
	s.recordQuestion(ctx, "vigil-proxy check", d)
	return checkReport(d, version), nil
}

func (s *Server) check(ctx context.Context, eco policy.Ecosystem, name, version string) (policy.Decision, error) {
	var pkg *policy.Package
	var npmIndex *npm.Index // the upstream document's index (npm)
	now := s.timeNow()
	requested := name
	switch eco {
	case policy.PyPI:
		if err := validPyPIName(name); err != nil {
			return policy.Decision{}, err
		}
		name = pypi.Normalize(name)
		st, err := s.pypiFacts(ctx, name)
		if err != nil && !errors.Is(err, policy.ErrNotFound) {
			return policy.Decision{}, err
		}
		if st != nil {
			pkg = st.pkg
		}
	case policy.NPM:
		if err := npm.ValidName(name); err != nil {
			return policy.Decision{}, fmt.Errorf("%w: %v", policy.ErrInvalidName, err)
		}
		if pattern, private := s.npmPrivate(name); private {
			return npm.PrivateDecision(name, version, pattern), nil
		}
		st, err := s.npmFacts(ctx, name)
		if err != nil && !errors.Is(err, policy.ErrNotFound) {
			return policy.Decision{}, err
		}
		if st != nil {
			pkg = st.pkg
			if _, isTag := st.index.DistTags[version]; isTag && st.index.Version(version) == nil {
				// pkg@<tag> installs the version the filtered dist-tags name.
				if version, err = s.npmResolveTag(ctx, st, version); err != nil {
					return policy.Decision{}, err
				}
			}
			npmIndex = st.index
		}
		name = npm.Canonical(name)
	default:
		return policy.Decision{}, fmt.Errorf("unknown ecosystem %q", eco)
	}
	if pkg == nil {
		pkg = s.missingPackage(ctx, eco, requested, false) // a question never writes the watchlist
	}
	if !pkg.Exists {
		d, err := s.opts.Engine.EvaluatePackage(ctx, pkg, now)
		d.Ref.Version = version
		return d, err
	}
	// The refusals the install routes add on top of the engine's package
	// decision: an unpublished npm package, every version hidden.
	pd, err := s.opts.Engine.EvaluatePackage(ctx, pkg, now)
	if err != nil {
		return pd, err
	}
	refused := false
	if pd.Verdict != policy.Block {
		if pkg.Status == policy.StatusUnpublished {
			pd, refused = unpublishedDecision(pkg, pd), true
		} else if first, all, err := s.everyReleaseHidden(ctx, pkg); err != nil {
			return pd, err
		} else if all {
			pd, refused = everyVersionHidden(pd, name, first), true
		}
	}
	if version == "" || refused {
		pd.Ref.Version = version
		return pd, nil
	}
	if eco == policy.PyPI {
		version = pinnedVersion(version) // "==1.2" is the version 1.2
	}
	rel := pkg.Release(version)
	if rel == nil && eco == policy.PyPI {
		rel = matchPEP440(pkg, version) // PyPI's version route: 1.1 finds 1.1.0
	}
	if rel == nil && isRangeSpec(eco, version) {
		// A range, specifier or dist-tag: the version the client would
		// install among those policy lets through.
		resolved, ok, err := s.resolveSpec(ctx, pkg, version, npmIndex)
		if err != nil {
			return pd, err
		}
		if ok {
			version, rel = resolved, pkg.Release(resolved)
		}
	}
	if rel == nil {
		newest, err := s.newestAllowedRelease(ctx, pkg)
		if err != nil {
			return pd, err
		}
		pd.Ref.Version = version
		f := policy.NonexistentVersion(pkg, version, newest)
		if isRangeSpec(eco, version) {
			f.Reason = strings.Replace(f.Reason, "version "+version+" of `"+pkg.Name+"` does not exist",
				"no release of `"+pkg.Name+"` matches "+version, 1)
		}
		pd.Findings = append(pd.Findings, f)
		pd.Verdict = policy.Block
		return pd, nil
	}
	var file *policy.File
	if len(rel.Files) == 1 {
		file = &rel.Files[0]
	}
	return s.opts.Engine.EvaluateArtifact(ctx, pkg, rel, file, now)
}

// npmResolveTag returns the version a dist-tag names in the packument the
// proxy serves (re-pointed when policy hides its target), or the tag itself
// when the tag is dropped.
func (s *Server) npmResolveTag(ctx context.Context, st *npmState, tag string) (string, error) {
	decisions, err := s.judgeReleases(ctx, st.pkg, s.timeNow())
	if err != nil {
		return "", err
	}
	if v := npm.RetaggedDistTags(st.index, blockedIn(decisions))[tag]; v != "" {
		return v, nil
	}
	return tag, nil
}

// everyReleaseHidden reports whether policy hides everything installable,
// judged as the install routes judge it: per version on npm, per file on
// PyPI. first is one of the hiding decisions, for the reason.
func (s *Server) everyReleaseHidden(ctx context.Context, pkg *policy.Package) (first policy.Decision, all bool, err error) {
	now := s.timeNow()
	judged := 0
	for i := range pkg.Releases {
		rel := &pkg.Releases[i]
		var files []*policy.File
		if pkg.Ecosystem == policy.NPM {
			files = []*policy.File{nil}
		} else {
			for j := range rel.Files {
				files = append(files, &rel.Files[j])
			}
		}
		for _, f := range files {
			d, err := s.opts.Engine.EvaluateRelease(ctx, pkg, rel, f, now)
			if err != nil {
				return first, false, err
			}
			if d.Verdict != policy.Block {
				return first, false, nil
			}
			judged++
			if first.Ref.Version == "" || d.Ref.Version > first.Ref.Version {
				first = d
			}
		}
	}
	return first, judged > 0, nil
}

// newestAllowedRelease is the newest final release the policy lets through.
func (s *Server) newestAllowedRelease(ctx context.Context, pkg *policy.Package) (string, error) {
	decisions, err := s.judgeReleases(ctx, pkg, s.timeNow())
	if err != nil {
		return "", err
	}
	blocked := blockedIn(decisions)
	var allowed []string
	for _, rel := range pkg.Releases {
		if !rel.Prerelease && !rel.Yanked && !blocked(rel.Version) {
			allowed = append(allowed, rel.Version)
		}
	}
	if pkg.Ecosystem == policy.PyPI {
		return pypi.NewestVersion(allowed, false), nil
	}
	return npm.NewestVersion(allowed), nil
}

// isRangeSpec reports whether a requested version is a range, specifier
// or dist-tag rather than an exact version.
func isRangeSpec(eco policy.Ecosystem, v string) bool {
	if eco == policy.PyPI {
		return pypi.IsSpecifier(v)
	}
	return npm.IsRange(v)
}

// resolveSpec picks the release a client installs for spec among the
// releases policy allows: npm's pick (the latest tag when it satisfies the
// range, else the highest match; tags re-pointed as the served packument
// does), pip's (highest match, prereleases only when asked for or when
// nothing else matches, yanked only when pinned).
func (s *Server) resolveSpec(ctx context.Context, pkg *policy.Package, spec string, ix *npm.Index) (string, bool, error) {
	decisions, err := s.judgeReleases(ctx, pkg, s.timeNow())
	if err != nil {
		return "", false, err
	}
	blocked := blockedIn(decisions)
	var allowed []string
	yanked := map[string]bool{}
	for _, rel := range pkg.Releases {
		if blocked(rel.Version) {
			continue
		}
		allowed = append(allowed, rel.Version)
		yanked[rel.Version] = rel.Yanked
	}
	var all []string
	for _, rel := range pkg.Releases {
		all = append(all, rel.Version)
		yanked[rel.Version] = rel.Yanked
	}
	if pkg.Ecosystem == policy.PyPI {
		isYanked := func(v string) bool { return yanked[v] }
		if v, ok := pypi.ResolveSpecifier(spec, allowed, isYanked); ok {
			return v, true, nil
		}
		// Only refused releases match: judge the one the client would
		// have taken, so the refusal says why (too new, …).
		v, ok := pypi.ResolveSpecifier(spec, all, isYanked)
		return v, ok, nil
	}
	var tags map[string]string
	if ix != nil {
		tags = npm.RetaggedDistTags(ix, blocked)
	}
	if v, ok := npm.ResolveRange(spec, allowed, tags); ok {
		return v, true, nil
	}
	if ix != nil {
		tags = ix.DistTags
	}
	v, ok := npm.ResolveRange(spec, all, tags)
	return v, ok, nil
}

// pinnedVersion turns a PEP 440 exact pin ("==1.2", "===1.2") into the
// version itself; anything else is returned unchanged.
func pinnedVersion(spec string) string {
	s := strings.TrimSpace(spec)
	if strings.ContainsAny(s, ",*") {
		return spec
	}
	if v, ok := strings.CutPrefix(s, "==="); ok {
		return strings.TrimSpace(v)
	}
	if v, ok := strings.CutPrefix(s, "=="); ok {
		return strings.TrimSpace(v)
	}
	return spec
}

// checkReport is the decision's report, saying which range, dist-tag or
// specifier resolved to its version.
func checkReport(d policy.Decision, requested string) policy.Report {
	rep := d.Report()
	if requested != "" && rep.Version != requested {
		rep.Requested = requested
	}
	return rep
}

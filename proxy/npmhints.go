package proxy

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/vigil-proxy/vigil-proxy/npm"
	"github.com/vigil-proxy/vigil-proxy/policy"
)

// How a packument explains the versions policy hides, per client. npm
// prints the npm-notice header (npmNotice); pnpm and yarn print no header
// and nothing from a 200 packument except what their resolvers read, so
// each gets the one channel its resolver offers (README, "What users see
// when something is refused"):
//
//   - pnpm prints every dist-tag under "Other releases are:" when no version
//     matches a range (ERR_PNPM_NO_MATCHING_VERSION): one extra tag per
//     reason, named after the hidden versions, the reason and the rule, and
//     pointing at the latest allowed version, which the document lists.
//   - yarn berry prefers the highest non-deprecated version that satisfies a
//     range: hidden versions stay listed, deprecated with the reason, where
//     npm.ListableHidden shows this cannot change what a working install
//     resolves; a range only they satisfy resolves to one, whose tarball is
//     refused with the reason phrase yarn prints.
//
// The other channels are unsafe: see the README.

// npmVariant is the rendered representation a packument request gets:
// "" (the document every client gets), "pnpm" or "yarn".
type npmVariant string

const (
	npmVariantPlain npmVariant = ""
	npmVariantPnpm  npmVariant = "pnpm"
	npmVariantYarn  npmVariant = "yarn"
)

// npmVariantOf picks the representation for r from its User-Agent (pnpm
// sends "pnpm/<version> npm/? node/…"; yarn berry sends its HTTP library's
// default, "got (https://github.com/sindresorhus/got)", and yarn classic
// "yarn/1…", which prefers no version over another and so gets the plain
// document) and the settings that enable each.
func (s *Server) npmVariantOf(r *http.Request) npmVariant {
	ua := r.Header.Get("User-Agent")
	switch {
	case s.opts.NPM.PnpmHiddenTags && strings.HasPrefix(ua, "pnpm/"):
		return npmVariantPnpm
	case s.opts.NPM.YarnHiddenDeprecated && isYarnBerry(r):
		return npmVariantYarn
	}
	return npmVariantPlain
}

func isYarnBerry(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("User-Agent"), "got (")
}

// maxHiddenTags bounds the dist-tags added for pnpm: one per reason.
const maxHiddenTags = 3

// hiddenDistTags names the hidden versions and why, one tag per distinct
// reason (the newest hidden versions first), all pointing at target. The
// names pass npm's own rule for dist-tags (not a valid semver range), and no
// client reads a tag it was not asked for, so they steer no resolution.
func hiddenDistTags(hidden map[string]policy.Decision, target string) []npm.DistTag {
	if target == "" {
		return nil
	}
	type group struct {
		why      string
		versions []string
	}
	var groups []*group
	byWhy := map[string]*group{}
	for _, v := range semverDescending(hidden) {
		d := hidden[v]
		if d.Verdict != policy.Block {
			continue
		}
		why := plainQuotes(d.Reason())
		if detail := decisionDetail(d); detail != "" {
			why += " [" + detail + "]"
		}
		g := byWhy[why]
		if g == nil {
			g = &group{why: why}
			byWhy[why] = g
			groups = append(groups, g)
		}
		g.versions = append(g.versions, v)
	}
	var tags []npm.DistTag
	for i, g := range groups {
		if i == maxHiddenTags-1 && len(groups) > maxHiddenTags {
			n := 0
			for _, rest := range groups[i:] {
				n += len(rest.versions)
			}
			tags = append(tags, npm.DistTag{Name: fmt.Sprintf("vigil-proxy hid %d more versions for other reasons (vigil-proxy check explains each); latest allowed", n), Version: target})
			break
		}
		shown := g.versions
		if len(shown) > 4 {
			shown = append(shown[:4:4], fmt.Sprintf("and %d more", len(g.versions)-4))
		}
		name := fmt.Sprintf("vigil-proxy hid %s: %s; latest allowed", strings.Join(shown, ", "), g.why)
		tags = append(tags, npm.DistTag{Name: sanitizePhrase(name, 400), Version: target})
	}
	return tags
}

// semverDescending returns the versions of m, highest first (semver order;
// versions that are not semver last, in reverse string order).
func semverDescending(m map[string]policy.Decision) []string {
	type entry struct {
		raw string
		sv  *semver.Version
	}
	all := make([]entry, 0, len(m))
	for v := range m {
		sv, _ := semver.NewVersion(v) // nil when not semver
		all = append(all, entry{v, sv})
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i].sv, all[j].sv
		switch {
		case a != nil && b != nil && !a.Equal(b):
			return a.GreaterThan(b)
		case (a == nil) != (b == nil):
			return a != nil
		}
		return all[i].raw > all[j].raw
	})
	out := make([]string, len(all))
	for i, e := range all {
		out[i] = e.raw
	}
	return out
}

// latestAllowed is the version the hint tags point at: dist-tags.latest
// after filtering, or the highest remaining version when no latest is left.
func latestAllowed(ix *npm.Index, hide func(string) bool) string {
	if v := npm.NewestAllowed(ix, hide); v != "" {
		return v
	}
	var best *semver.Version
	for _, vi := range ix.Versions {
		if hide(vi.Version) {
			continue
		}
		if sv, err := semver.NewVersion(vi.Version); err == nil && (best == nil || sv.GreaterThan(best)) {
			best = sv
		}
	}
	if best == nil {
		return ""
	}
	return best.Original()
}

// hiddenDeprecation is the deprecation message of a hidden version listed
// for yarn berry (upstream's message, if any, first).
func hiddenDeprecation(d policy.Decision, upstream string) string {
	msg := "vigil-proxy: hidden by policy, its tarball is refused: " + plainQuotes(d.Reason())
	if detail := decisionDetail(d); detail != "" {
		msg += " [" + detail + "]"
	}
	if upstream != "" {
		msg = upstream + " (" + msg + ")"
	}
	return msg
}

// explainHidden adds the variant's explanation of hidden versions to opts
// (which already hides them and may deprecate warned versions).
func explainHidden(opts *npm.FilterOptions, variant npmVariant, ix *npm.Index, hidden map[string]policy.Decision) {
	hide := blockedIn(hidden)
	switch variant {
	case npmVariantPnpm:
		opts.ExtraDistTags = hiddenDistTags(hidden, latestAllowed(ix, hide))
	case npmVariantYarn:
		warn := opts.Deprecate
		deprecated := func(v string) bool {
			if vi := ix.Version(v); vi != nil && vi.Deprecated != "" {
				return true
			}
			return warn != nil && warn(v) != ""
		}
		listed := npm.ListableHidden(ix, hide, deprecated)
		for v := range listed {
			// Leaving a version out only removes a candidate:
			// ListableHidden never counts a hidden version as a shield.
			if !neverServed(hidden[v]) {
				delete(listed, v)
			}
		}
		if len(listed) == 0 {
			return
		}
		opts.Hide = func(v string) bool { return hide(v) && !listed[v] }
		opts.Untag = func(v string) bool { return listed[v] }
		opts.Deprecate = func(v string) string {
			if listed[v] {
				var up string
				if vi := ix.Version(v); vi != nil {
					up = vi.Deprecated
				}
				return hiddenDeprecation(hidden[v], up)
			}
			if warn != nil {
				return warn(v)
			}
			return ""
		}
	}
}

// neverServed reports whether d hides a version only for being too new
// (DEP-002), so that the proxy cannot have served its tarball before (short
// of a configuration change). Only such versions are listed for yarn: yarn 4
// takes a resolved version from its global cache without fetching the
// tarball, so listing a version hidden after it was served (known malware
// found later, a denylist entry) would let a fresh resolution of a range
// only it satisfies install it from the cache and write it into yarn.lock.
func neverServed(d policy.Decision) bool {
	rules := d.Rules()
	for _, r := range rules {
		if r != policy.RuleTooNew {
			return false
		}
	}
	return d.Verdict == policy.Block && len(rules) > 0
}

package policy

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
)

// NoRepositoryRule is DEP-005: the package declares no source repository on a
// known code host. Hallucinated and throw-away malicious packages rarely
// point at a real repository.
type NoRepositoryRule struct {
	hosts []string
}

// NewNoRepositoryRule returns DEP-005 accepting the given code hosts and
// their subdomains.
func NewNoRepositoryRule(codeHosts []string) NoRepositoryRule {
	hosts := make([]string, 0, len(codeHosts))
	for _, h := range codeHosts {
		if h = strings.Trim(strings.ToLower(strings.TrimSpace(h)), "."); h != "" {
			hosts = append(hosts, h)
		}
	}
	return NoRepositoryRule{hosts: hosts}
}

func noRepositoryInfo() RuleInfo {
	return RuleInfo{
		ID:    RuleNoRepository,
		Title: "No source repository",
		Description: "Packages people maintain almost always link their source repository; hallucinated " +
			"names registered by attackers and throw-away malware usually do not. The package (or its " +
			"newest release) must declare a repository URL with an owner and a project on a known " +
			"code host such as github.com, gitlab.com or codeberg.org.",
		Remediation: "Check that this is the package you meant. If its source lives on a host that is " +
			"not listed, add the host to the code hosts setting; for a trusted package without a public " +
			"repository, add an allowlist entry.",
		Scope: ScopePackage,
	}
}

// Info documents DEP-005.
func (NoRepositoryRule) Info() RuleInfo { return noRepositoryInfo() }

// Evaluate blocks an existing package none of whose declared repositories is
// on a known code host.
func (r NoRepositoryRule) Evaluate(in Input) (Finding, bool) {
	p := in.Package
	if p == nil || !p.Exists {
		return Finding{}, false
	}
	urls := slices.Clone(p.Repositories)
	if nr := newestRelease(p); nr != nil {
		urls = append(urls, nr.Repositories...)
	}
	for _, raw := range urls {
		if host, _, ok := RepositoryHost(raw); ok && r.known(host) {
			return Finding{}, false
		}
	}
	reason := fmt.Sprintf("`%s` declares no source repository on a known code host", p.Name)
	if len(urls) > 0 {
		reason += fmt.Sprintf(" (%s declared, none on an accepted host)", plural(int64(len(urls)), "URL"))
	}
	return Finding{Rule: RuleNoRepository, Verdict: Block, Reason: reason}, true
}

func (r NoRepositoryRule) known(host string) bool {
	for _, h := range r.hosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	return false
}

// newestRelease returns the release with the latest publish time; releases
// without one count as older than any dated release, and among equals the
// later one in the list wins. Nil when there are no releases.
func newestRelease(p *Package) *Release {
	var best *Release
	for i := range p.Releases {
		r := &p.Releases[i]
		if best == nil || !r.Published.Before(best.Published) {
			best = r
		}
	}
	return best
}

// RepositoryHost parses a declared repository URL in any of the forms
// package metadata uses and returns the lower-case host and "owner/repo"
// (the first two path segments, ".git" trimmed). ok is false when the value
// is not a repository URL with both an owner and a repository.
//
// Accepted forms: http(s)://, git://, ssh://, git+https://, git+ssh://,
// scp-like "git@github.com:u/r.git", npm shorthands "github:u/r",
// "gitlab:u/r", "bitbucket:u/r", "gist:id" (not a repository: rejected),
// bare "u/r" (npm shorthand for GitHub) and scheme-less "github.com/u/r".
func RepositoryHost(raw string) (host, ownerRepo string, ok bool) {
	s := strings.TrimSpace(raw)
	if s == "" || len(s) > 2048 || strings.ContainsAny(s, " \t\r\n\x00") {
		return "", "", false
	}
	s, _, _ = strings.Cut(s, "#") // "u/r#semver:^1", "github:u/r#v1.0.0"
	var path string
	switch {
	case strings.Contains(s, "://"):
		s = strings.TrimPrefix(s, "git+")
		scheme, rest, _ := strings.Cut(s, "://")
		switch strings.ToLower(scheme) {
		case "http", "https", "git", "ssh":
		default:
			return "", "", false
		}
		u, err := url.Parse(s)
		if err != nil {
			// "ssh://git@github.com:u/r.git" mixes URL and scp syntax;
			// npm documents carry it, so read it as scp-like.
			var ok bool
			if host, path, ok = scpLike(rest); !ok {
				return "", "", false
			}
			break
		}
		host, path = u.Hostname(), u.Path
	case strings.Contains(s, ":"):
		prefix, rest, _ := strings.Cut(s, ":")
		switch strings.ToLower(prefix) {
		case "github":
			host = "github.com"
		case "gitlab":
			host = "gitlab.com"
		case "bitbucket":
			host = "bitbucket.org"
		default:
			var ok bool
			if host, rest, ok = scpLike(s); !ok {
				return "", "", false
			}
		}
		path = rest
	default:
		segs := strings.Split(strings.Trim(s, "/"), "/")
		if len(segs) == 2 && !strings.Contains(segs[0], ".") {
			host, path = "github.com", s
		} else if len(segs) >= 3 && strings.Contains(segs[0], ".") {
			host, path = segs[0], strings.Join(segs[1:], "/")
		} else {
			return "", "", false
		}
	}
	host = strings.TrimPrefix(strings.ToLower(strings.TrimSuffix(host, ".")), "www.")
	if !plausibleHost(host) {
		return "", "", false
	}
	path, _, _ = strings.Cut(path, "#")
	path, _, _ = strings.Cut(path, "?")
	var segs []string
	for seg := range strings.SplitSeq(path, "/") {
		if seg != "" {
			segs = append(segs, seg)
		}
	}
	if len(segs) < 2 {
		return "", "", false
	}
	owner, repo := segs[0], strings.TrimSuffix(segs[1], ".git")
	if owner == "" || repo == "" || owner == "." || owner == ".." || repo == "." || repo == ".." {
		return "", "", false
	}
	return host, owner + "/" + repo, true
}

// scpLike splits "[user@]host:path" where host contains a dot.
func scpLike(s string) (host, path string, ok bool) {
	prefix, rest, found := strings.Cut(s, ":")
	if !found {
		return "", "", false
	}
	if i := strings.LastIndex(prefix, "@"); i >= 0 {
		prefix = prefix[i+1:]
	}
	if !strings.Contains(prefix, ".") {
		return "", "", false
	}
	return prefix, rest, true
}

// plausibleHost accepts DNS names with at least one dot and IP addresses.
func plausibleHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	if net.ParseIP(h) != nil {
		return true
	}
	return validateCodeHost(h) == nil && strings.Contains(h, ".")
}

// Package policy is vigil-proxy's vocabulary and judgement: neutral facts
// about packages, the rules that judge them and the engine that combines the
// rules' findings with allow and deny lists into a decision.
//
// The package does no I/O and reads no clock: every fact, including the
// current time, arrives through its arguments.
package policy

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Ecosystem names a package registry family.
type Ecosystem string

// The ecosystems vigil-proxy serves.
const (
	PyPI Ecosystem = "pypi"
	NPM  Ecosystem = "npm"
)

// Ecosystems lists every supported ecosystem in a stable order.
func Ecosystems() []Ecosystem { return []Ecosystem{PyPI, NPM} }

// ParseEcosystem accepts "pypi" or "npm" in any case.
func ParseEcosystem(s string) (Ecosystem, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "pypi", "python", "pip":
		return PyPI, nil
	case "npm", "node", "js":
		return NPM, nil
	}
	return "", fmt.Errorf("unknown ecosystem %q (want pypi or npm)", s)
}

// Sentinel errors shared by the adapters, the proxy and the CLI. Adapters wrap
// them with context; callers test with errors.Is.
var (
	// ErrNotFound: the name (or version, or file) does not exist upstream.
	ErrNotFound = errors.New("not found upstream")
	// ErrInvalidName: the name is not a valid package name for its ecosystem.
	ErrInvalidName = errors.New("invalid package name")
	// ErrUpstream: upstream failed (5xx, timeout, malformed document, …).
	ErrUpstream = errors.New("upstream error")
	// ErrTooLarge: a document or body exceeded a configured size limit.
	ErrTooLarge = errors.New("too large")
	// ErrForbiddenHost: a document pointed at a host the proxy may not fetch from.
	ErrForbiddenHost = errors.New("host not allowed")
)

// Ref identifies what a request is about. File is empty for metadata requests;
// Version is empty when the request concerns the whole package.
type Ref struct {
	Ecosystem Ecosystem `json:"ecosystem"`
	Name      string    `json:"name"`
	Version   string    `json:"version,omitempty"`
	File      string    `json:"file,omitempty"`
}

func (r Ref) String() string {
	s := string(r.Ecosystem) + ":" + r.Name
	if r.Version != "" {
		if r.Ecosystem == PyPI {
			s += "==" + r.Version
		} else {
			s += "@" + r.Version
		}
	}
	if r.File != "" {
		s += " (" + r.File + ")"
	}
	return s
}

// Package status values, from upstream markers (PEP 792, npm holding packages).
const (
	StatusActive          = ""
	StatusQuarantined     = "quarantined"
	StatusArchived        = "archived"
	StatusDeprecated      = "deprecated"
	StatusSecurityHolding = "security-holding" // npm 0.0.1-security (see IsNPMSecurityHolding): removed malware
	StatusUnpublished     = "unpublished"      // npm: every version unpublished
)

// Package holds what upstream says about one package, reduced to the facts the
// rules need. A name that does not exist upstream is still a Package, with
// Exists false and no releases, so that rules can explain the refusal.
type Package struct {
	Ecosystem Ecosystem
	Name      string // canonical form (PEP 503 for PyPI, lower-case for npm)
	Exists    bool
	// Created is the first publication upstream: PyPI's earliest file upload,
	// npm's time.created. Zero when upstream does not say.
	Created time.Time
	// Repositories are every declared source or home-page URL (project URLs,
	// home page, npm repository in any form), unvalidated.
	Repositories []string
	Status       string // one of the Status* constants
	StatusReason string
	Releases     []Release
	// Signals are facts gathered outside the registry document.
	Signals Signals
}

// Release returns the release with that exact version string, or nil.
func (p *Package) Release(version string) *Release {
	for i := range p.Releases {
		if p.Releases[i].Version == version {
			return &p.Releases[i]
		}
	}
	return nil
}

// Signals are facts about a package from sources other than its registry
// document: download counts and the hallucination watchlist.
type Signals struct {
	// WeeklyDownloads is -1 when no source could answer.
	WeeklyDownloads int64
	// DownloadsSource names the source ("snapshot", "pypistats",
	// "npm-downloads", "corpus").
	DownloadsSource string
	// Popular is true when the name is in the embedded popular-name snapshot.
	Popular bool
	// Watchlisted is set when the name was earlier requested while it did not
	// exist upstream (a recorded hallucination).
	Watchlisted *WatchFact
	// SameRepository lists popular names this package resembles that declare
	// the same source repository (host/owner/repo): siblings published by the
	// same project, which the typosquat rule exempts.
	SameRepository []string
}

// WatchFact describes a watchlisted name.
type WatchFact struct {
	FirstSeen time.Time
	LastSeen  time.Time
	Count     int
}

// Release is one version of a package.
type Release struct {
	Version string
	// Published is the release's first upload (PyPI: earliest file; npm:
	// time[version]). Zero when unknown.
	Published    time.Time
	Yanked       bool
	YankReason   string
	Deprecated   string
	Prerelease   bool
	Repositories []string // per-version declared repositories (npm full documents)
	Files        []File   // PyPI distribution files; npm: the one tarball
}

// File is one downloadable artifact of a release.
type File struct {
	Name     string
	Uploaded time.Time // zero when unknown
	Size     int64
}

// Input is everything a rule sees. Release and File are nil when the package
// as a whole is judged; File is nil when a release is judged as a whole.
type Input struct {
	Package *Package
	Release *Release
	File    *File
	// RequestedVersion is the version a client asked for by exact string
	// (PyPI JSON API version route, npm tarball), empty otherwise.
	RequestedVersion string
	Now              time.Time
}

// Scope says at which level a rule judges.
type Scope int

const (
	// ScopePackage rules judge the package as a whole (Input.Release == nil).
	ScopePackage Scope = 1 << iota
	// ScopeRelease rules judge one release or one file of it.
	ScopeRelease
)

// RuleInfo documents a rule for users: the CLI, the README and the admin UI
// render it.
type RuleInfo struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Remediation string `json:"remediation"`
	Scope       Scope  `json:"-"`
}

// Rule judges one aspect of a package. Evaluate returns ok=false when the rule
// has nothing to say. A finding's Verdict is the rule's own severity (Block for
// a confident hit, Warn for a weaker one); the engine caps it at the rule's
// configured action.
type Rule interface {
	Info() RuleInfo
	Evaluate(in Input) (f Finding, ok bool)
}

// IsNPMSecurityHolding matches the versions npm gives the security holding
// package it publishes in place of removed malware: 0.0.1-security, and
// 0.0.N-security and 0.0.N-security.M (older takedowns were 0.0.2-security).
func IsNPMSecurityHolding(version string) bool {
	rest, ok := strings.CutPrefix(version, "0.0.")
	if !ok {
		return false
	}
	n, suffix, ok := strings.Cut(rest, "-security")
	if !ok || !allDigits(n) {
		return false
	}
	if suffix == "" {
		return true
	}
	num, ok := strings.CutPrefix(suffix, ".")
	return ok && allDigits(num)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

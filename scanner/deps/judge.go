// Package deps holds the scanner's dependency rules: parsers for Python and
// npm manifests and lockfiles (each declaration with its exact line), the
// analyzer that turns registry verdicts into DEP and MAL findings, and
// DEP-008 (dependencies that bypass the registry).
//
// The verdicts themselves come from a Judge the composition root hands in
// (a running proxy, the proxy's own resolver and policy in-process, or the
// name-only offline rules): the scanner never imports the data plane, and
// `vigil-proxy check` asks the same Judge, so the two cannot drift apart.
package deps

import "context"

// Ecosystem names a package registry: "pypi" or "npm".
type Ecosystem string

const (
	PyPI Ecosystem = "pypi"
	NPM  Ecosystem = "npm"
)

// Query asks for the verdict on one package. Spec is what the project
// declares: "" (any version), an exact version, an npm range or dist-tag
// (^4, latest) or a PEP 440 specifier set (>=2,<3). The judge resolves a
// range as the client would, against the versions policy allows.
type Query struct {
	Ecosystem Ecosystem `json:"ecosystem"`
	Name      string    `json:"name"`
	Spec      string    `json:"version,omitempty"`
}

// Verdict is a policy outcome, ordered by severity.
type Verdict int

const (
	Allow Verdict = iota
	Warn
	Block
)

func (v Verdict) String() string {
	switch v {
	case Warn:
		return "warn"
	case Block:
		return "block"
	}
	return "allow"
}

// Finding is one policy rule's statement about a package.
type Finding struct {
	Rule        string
	Verdict     Verdict
	Reason      string
	Suggestions []string
}

// Answer is the verdict on one Query.
type Answer struct {
	Query Query
	// Name is the canonical name the registry knows the package by.
	Name string
	// Version is the version the spec resolves to ("" when no spec was
	// given or nothing matched).
	Version  string
	Verdict  Verdict
	Findings []Finding
	// Unverified, when set, says why the package could not be judged
	// (registry unreachable, invalid name): never a verdict of
	// nonexistence.
	Unverified string
	// ListReason explains an allow or deny list entry that decided.
	ListReason string
	// Detail is the judge's own full record (cmd's `check --json` prints
	// it); the scanner ignores it.
	Detail any
}

// Judge gives verdicts for many packages at once (a lockfile may declare
// thousands: implementations batch). The answers are in query order. An
// error means nothing could be judged (for example the proxy is
// unreachable); per-package problems are Answer.Unverified.
type Judge interface {
	Judge(ctx context.Context, qs []Query) ([]Answer, error)
}

// Warmer is implemented by judges that take a while to get ready (load a
// name corpus, open a cache): Warm starts that in the background as soon as
// the scan knows there are manifests, so that it overlaps the walk.
type Warmer interface {
	Warm()
}

// Noter is implemented by judges with remarks for the user (offline mode:
// existence not checked; store locked: lists not consulted).
type Noter interface {
	Notes() []string
}

package policy

import (
	"context"
	"fmt"
	"time"
)

// Binding pairs a rule with its configured action.
type Binding struct {
	Rule   Rule
	Action Action
}

// Engine combines rules and allow/deny lists into decisions. It is safe for
// concurrent use.
type Engine struct {
	bindings []Binding
	lists    Lists
}

// NewEngine returns an engine over the given rules. lists may be nil (no
// allow or deny entries). Bindings whose action is off are dropped.
func NewEngine(bindings []Binding, lists Lists) *Engine {
	var active []Binding
	for _, b := range bindings {
		if b.Action != ActionOff {
			active = append(active, b)
		}
	}
	return &Engine{bindings: active, lists: lists}
}

// Bindings returns the active rules and their actions, in evaluation order.
func (e *Engine) Bindings() []Binding { return append([]Binding(nil), e.bindings...) }

func (e *Engine) match(ctx context.Context, ref Ref, now time.Time) (*ListEntry, error) {
	if e.lists == nil {
		return nil, nil
	}
	entry, err := e.lists.Match(ctx, ref, now)
	if err != nil {
		return nil, fmt.Errorf("match lists for %s: %w", ref, err)
	}
	return entry, nil
}

// run evaluates every active rule of the given scope.
func (e *Engine) run(scope Scope, in Input) []Finding {
	var out []Finding
	for _, b := range e.bindings {
		if b.Rule.Info().Scope&scope == 0 {
			continue
		}
		f, ok := b.Rule.Evaluate(in)
		if !ok {
			continue
		}
		v, on := b.Action.cap(f.Verdict)
		if !on {
			continue
		}
		f.Verdict = v
		if f.Rule == "" {
			f.Rule = b.Rule.Info().ID
		}
		out = append(out, f)
	}
	return out
}

func decide(ref Ref, findings []Finding) Decision {
	d := Decision{Ref: ref, Verdict: Allow, Findings: findings}
	for _, f := range findings {
		d.Verdict = max(d.Verdict, f.Verdict)
	}
	return d
}

// EvaluatePackage judges the package as a whole: metadata requests use it to
// decide whether to serve the package at all.
//
// An allow entry without a version constraint allows everything; one with a
// constraint defers the package-level findings to EvaluateRelease, so that
// the allowed versions stay installable. A deny entry with a constraint has
// no effect here: EvaluateRelease and EvaluateArtifact enforce it per
// version, so callers must judge releases even of an allowed package.
func (e *Engine) EvaluatePackage(ctx context.Context, pkg *Package, now time.Time) (Decision, error) {
	ref := Ref{Ecosystem: pkg.Ecosystem, Name: pkg.Name}
	entry, err := e.match(ctx, ref, now)
	if err != nil {
		return Decision{}, err
	}
	if entry != nil && entry.Versions == "" {
		if entry.Kind == Deny {
			return Decision{Ref: ref, Verdict: Block, List: entry}, nil
		}
		if d, ok := e.notAllowable(ref, entry, Input{Package: pkg, Now: now}); ok {
			return d, nil
		}
		return Decision{Ref: ref, Verdict: Allow, List: entry}, nil
	}
	d := decide(ref, e.run(ScopePackage, Input{Package: pkg, Now: now}))
	if entry != nil && entry.Kind == Allowlist && d.Verdict == Block {
		// Some versions are allowlisted: the package stays visible and each
		// release carries the package-level findings (see EvaluateRelease).
		// Known-malware findings the entry does not name stay blocking.
		d.Verdict = Warn
		d.List = entry
		capped := make([]Finding, len(d.Findings))
		for i, f := range d.Findings {
			if !overridable(f, entry) {
				d.Verdict = max(d.Verdict, f.Verdict)
			} else {
				f.Verdict = min(f.Verdict, Warn)
			}
			capped[i] = f
		}
		d.Findings = capped
	}
	return d, nil
}

// EvaluateRelease judges one release, and one of its files when file is not
// nil: metadata filtering hides a release (or file) it blocks, and the
// download route refuses it. Package-level findings are included only when
// EvaluatePackage deferred them; use EvaluateArtifact for a complete
// judgement of a download.
func (e *Engine) EvaluateRelease(ctx context.Context, pkg *Package, rel *Release, file *File, now time.Time) (Decision, error) {
	d, _, err := e.evaluateRelease(ctx, pkg, rel, file, now)
	return d, err
}

// evaluateRelease is EvaluateRelease; withPkg reports whether the decision
// already carries the package-level findings (a version outside a
// constrained allow entry).
func (e *Engine) evaluateRelease(ctx context.Context, pkg *Package, rel *Release, file *File, now time.Time) (d Decision, withPkg bool, err error) {
	ref := Ref{Ecosystem: pkg.Ecosystem, Name: pkg.Name, Version: rel.Version}
	if file != nil {
		ref.File = file.Name
	}
	entry, err := e.match(ctx, ref, now)
	if err != nil {
		return Decision{}, false, err
	}
	in := Input{Package: pkg, Release: rel, File: file, RequestedVersion: rel.Version, Now: now}
	if entry != nil {
		v := Allow
		if entry.Kind == Deny {
			v = Block
		} else if d, ok := e.notAllowable(ref, entry, in); ok {
			return d, false, nil
		}
		return Decision{Ref: ref, Verdict: v, List: entry}, false, nil
	}
	findings := e.run(ScopeRelease, in)
	pkgEntry, err := e.match(ctx, Ref{Ecosystem: pkg.Ecosystem, Name: pkg.Name}, now)
	if err != nil {
		return Decision{}, false, err
	}
	if pkgEntry != nil && pkgEntry.Kind == Allowlist && pkgEntry.Versions != "" {
		// This version is outside the allowlisted range: the package-level
		// findings that EvaluatePackage set aside apply to it.
		findings = append(e.run(ScopePackage, Input{Package: pkg, Now: now}), findings...)
		withPkg = true
	}
	return decide(ref, findings), withPkg, nil
}

// EvaluateArtifact judges a download of one file (or npm tarball) of a
// release: the package-level and the release-level judgement together, so a
// direct file URL cannot bypass a package block.
//
// List entries decide in this order: a deny entry for the whole package
// blocks; otherwise an entry matching this version (a deny for it, or an
// allow covering it) decides; otherwise the package-level and release-level
// findings are combined.
func (e *Engine) EvaluateArtifact(ctx context.Context, pkg *Package, rel *Release, file *File, now time.Time) (Decision, error) {
	pd, err := e.EvaluatePackage(ctx, pkg, now)
	if err != nil {
		return Decision{}, err
	}
	rd, withPkg, err := e.evaluateRelease(ctx, pkg, rel, file, now)
	if err != nil {
		return Decision{}, err
	}
	if pd.List != nil && pd.List.Kind == Deny && pd.List.Versions == "" {
		pd.Ref = rd.Ref
		return pd, nil
	}
	if rd.List != nil || withPkg {
		// A list entry for this version decides, or the release decision
		// already holds the package-level findings.
		return rd, nil
	}
	d := pd.merge(rd)
	d.List = nil
	d.Ref = rd.Ref
	return d, nil
}

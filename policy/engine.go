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
// the allowed versions stay installable.
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
		return Decision{Ref: ref, Verdict: Allow, List: entry}, nil
	}
	d := decide(ref, e.run(ScopePackage, Input{Package: pkg, Now: now}))
	if entry != nil && entry.Kind == Allowlist && d.Verdict == Block {
		// Some versions are allowlisted: the package stays visible and each
		// release carries the package-level findings (see EvaluateRelease).
		d.Verdict = Warn
		d.List = entry
	}
	return d, nil
}

// EvaluateRelease judges one release, and one of its files when file is not
// nil: metadata filtering hides a release (or file) it blocks, and the
// download route refuses it. Package-level findings are included only when
// EvaluatePackage deferred them; use EvaluateArtifact for a complete
// judgement of a download.
func (e *Engine) EvaluateRelease(ctx context.Context, pkg *Package, rel *Release, file *File, now time.Time) (Decision, error) {
	ref := Ref{Ecosystem: pkg.Ecosystem, Name: pkg.Name, Version: rel.Version}
	if file != nil {
		ref.File = file.Name
	}
	entry, err := e.match(ctx, ref, now)
	if err != nil {
		return Decision{}, err
	}
	if entry != nil {
		v := Allow
		if entry.Kind == Deny {
			v = Block
		}
		return Decision{Ref: ref, Verdict: v, List: entry}, nil
	}
	in := Input{Package: pkg, Release: rel, File: file, RequestedVersion: rel.Version, Now: now}
	findings := e.run(ScopeRelease, in)
	pkgEntry, err := e.match(ctx, Ref{Ecosystem: pkg.Ecosystem, Name: pkg.Name}, now)
	if err != nil {
		return Decision{}, err
	}
	if pkgEntry != nil && pkgEntry.Kind == Allowlist && pkgEntry.Versions != "" {
		// This version is outside the allowlisted range: the package-level
		// findings that EvaluatePackage set aside apply to it.
		findings = append(e.run(ScopePackage, Input{Package: pkg, Now: now}), findings...)
	}
	return decide(ref, findings), nil
}

// EvaluateArtifact judges a download of one file (or npm tarball) of a
// release: the package-level and the release-level judgement together, so a
// direct file URL cannot bypass a package block.
func (e *Engine) EvaluateArtifact(ctx context.Context, pkg *Package, rel *Release, file *File, now time.Time) (Decision, error) {
	pd, err := e.EvaluatePackage(ctx, pkg, now)
	if err != nil {
		return Decision{}, err
	}
	if pd.List != nil && pd.List.Versions == "" {
		pd.Ref.Version = rel.Version
		if file != nil {
			pd.Ref.File = file.Name
		}
		return pd, nil
	}
	rd, err := e.EvaluateRelease(ctx, pkg, rel, file, now)
	if err != nil {
		return Decision{}, err
	}
	if rd.List != nil {
		return rd, nil
	}
	if pd.List != nil { // constrained allow: EvaluateRelease already has the package findings
		return rd, nil
	}
	d := pd.merge(rd)
	d.Ref = rd.Ref
	return d, nil
}

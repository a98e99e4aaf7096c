package policy

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fixture: a package first published 20 days ago (too new for the default
// strategy's 30 days, fine for relaxed's 7) with an old-enough 1.0.0 and a
// 1-day-old 2.0.0.
func youngPackage(repos ...string) *Package {
	return &Package{
		Ecosystem: NPM, Name: "fresh", Exists: true, Created: now.Add(-20 * day), Repositories: repos,
		Releases: []Release{
			{Version: "1.0.0", Published: now.Add(-20 * day), Files: []File{{Name: "fresh-1.0.0.tgz", Uploaded: now.Add(-20 * day)}}},
			{Version: "2.0.0", Published: now.Add(-1 * day), Files: []File{{Name: "fresh-2.0.0.tgz", Uploaded: now.Add(-1 * day)}}},
		},
	}
}

// oldPackage: first published long ago, releases old enough.
func oldPackage(repos ...string) *Package {
	p := youngPackage(repos...)
	p.Name = "old"
	p.Created = now.Add(-400 * day)
	for i := range p.Releases {
		p.Releases[i].Published = now.Add(-time.Duration(300-i) * day)
		p.Releases[i].Files[0].Uploaded = p.Releases[i].Published
		p.Releases[i].Files[0].Name = "old-" + p.Releases[i].Version + ".tgz"
	}
	return p
}

func engineFor(t *testing.T, s Settings, lists Lists) *Engine {
	t.Helper()
	bs, err := CoreRules(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	return NewEngine(bs, lists)
}

// summary reduces a decision to what the tests compare.
type summary struct {
	Verdict Verdict
	Rules   []string // every finding's rule and verdict, "DEP-002:block"
	List    string   // deciding entry ID
	Ref     Ref
}

func summarize(d Decision) summary {
	s := summary{Verdict: d.Verdict, Ref: d.Ref}
	for _, f := range d.Findings {
		s.Rules = append(s.Rules, f.Rule+":"+f.Verdict.String())
	}
	if d.List != nil {
		s.List = d.List.ID
	}
	return s
}

func TestEngineStrategies(t *testing.T) {
	const repo = "https://github.com/u/fresh"
	tests := []struct {
		st   Strategy
		pkg  *Package
		want summary
	}{
		{Relaxed, oldPackage(), summary{Verdict: Allow}},
		{DefaultStrategy, oldPackage(), summary{Verdict: Warn, Rules: []string{"DEP-005:warn"}}},
		{Strict, oldPackage(), summary{Verdict: Block, Rules: []string{"DEP-005:block"}}},
		{DefaultStrategy, oldPackage(repo), summary{Verdict: Allow}},
		{Relaxed, youngPackage(repo), summary{Verdict: Allow}},
		{DefaultStrategy, youngPackage(repo), summary{Verdict: Block, Rules: []string{"DEP-002:block"}}},
		{DefaultStrategy, youngPackage(), summary{Verdict: Block, Rules: []string{"DEP-002:block", "DEP-005:warn"}}},
		{Strict, youngPackage(), summary{Verdict: Block, Rules: []string{"DEP-002:block", "DEP-005:block"}}},
	}
	for _, tt := range tests {
		e := engineFor(t, DefaultSettings(tt.st), nil)
		d, err := e.EvaluatePackage(context.Background(), tt.pkg, now)
		if err != nil {
			t.Fatal(err)
		}
		tt.want.Ref = Ref{Ecosystem: NPM, Name: tt.pkg.Name}
		if diff := cmp.Diff(tt.want, summarize(d)); diff != "" {
			t.Errorf("%s %s (-want +got):\n%s", tt.st, tt.pkg.Name, diff)
		}
	}
}

func TestEngineActionOff(t *testing.T) {
	s := DefaultSettings(DefaultStrategy)
	s.Actions = map[string]Action{RuleTooNew: ActionOff, RuleNoRepository: ActionOff}
	e := engineFor(t, s, nil)
	for _, b := range e.Bindings() {
		if id := b.Rule.Info().ID; id == RuleTooNew || id == RuleNoRepository {
			t.Errorf("binding %s is off but active", id)
		}
	}
	if len(e.Bindings()) != 3 {
		t.Errorf("got %d active bindings, want 3", len(e.Bindings()))
	}
	pkg := youngPackage()
	d, err := e.EvaluateArtifact(context.Background(), pkg, &pkg.Releases[1], &pkg.Releases[1].Files[0], now)
	if err != nil {
		t.Fatal(err)
	}
	if d.Verdict != Allow || len(d.Findings) != 0 {
		t.Errorf("decision %+v, want a plain allow", d)
	}
}

func TestEngineWarnCap(t *testing.T) {
	s := DefaultSettings(DefaultStrategy)
	s.Actions = map[string]Action{RuleTooNew: ActionWarn}
	e := engineFor(t, s, nil)
	pkg := youngPackage("github:u/fresh")
	d, err := e.EvaluatePackage(context.Background(), pkg, now)
	if err != nil {
		t.Fatal(err)
	}
	if d.Verdict != Warn || d.Blocked() {
		t.Errorf("verdict %s, want warn", d.Verdict)
	}
	if got, want := d.Reason(), "`fresh` was first published 20 days ago (policy: 30 days)"; got != want {
		t.Errorf("reason %q, want %q", got, want)
	}
}

func TestEngineLists(t *testing.T) {
	ctx := context.Background()
	pkg := youngPackage() // package DEP-002 block, DEP-005 warn; 2.0.0 too new; 1.0.0 old enough for release rule
	v1, v2 := &pkg.Releases[0], &pkg.Releases[1]
	f1, f2 := &v1.Files[0], &v2.Files[0]
	expired := entry("expired", Allowlist, NPM, "fresh", "")
	expired.Expires = now.Add(-time.Second)

	type result struct{ Pkg, Rel1, Rel2, Art1, Art2 summary }
	refP := Ref{Ecosystem: NPM, Name: "fresh"}
	ref1 := Ref{Ecosystem: NPM, Name: "fresh", Version: "1.0.0", File: "fresh-1.0.0.tgz"}
	ref2 := Ref{Ecosystem: NPM, Name: "fresh", Version: "2.0.0", File: "fresh-2.0.0.tgz"}
	pkgFindings := []string{"DEP-002:block", "DEP-005:warn"}
	tests := []struct {
		name    string
		entries StaticLists
		want    result
	}{
		{"no entries: artifacts carry the package block", nil, result{
			Pkg:  summary{Verdict: Block, Rules: pkgFindings, Ref: refP},
			Rel1: summary{Verdict: Allow, Ref: ref1},
			Rel2: summary{Verdict: Block, Rules: []string{"DEP-002:block"}, Ref: ref2},
			Art1: summary{Verdict: Block, Rules: pkgFindings, Ref: ref1},
			Art2: summary{Verdict: Block, Rules: append(append([]string{}, pkgFindings...), "DEP-002:block"), Ref: ref2},
		}},
		{"unconstrained allow skips everything", StaticLists{entry("a", Allowlist, NPM, "fresh", "")}, result{
			Pkg:  summary{Verdict: Allow, List: "a", Ref: refP},
			Rel1: summary{Verdict: Allow, List: "a", Ref: ref1},
			Rel2: summary{Verdict: Allow, List: "a", Ref: ref2},
			Art1: summary{Verdict: Allow, List: "a", Ref: ref1},
			Art2: summary{Verdict: Allow, List: "a", Ref: ref2},
		}},
		{"glob allow", StaticLists{entry("g", Allowlist, NPM, "fre*", "")}, result{
			Pkg:  summary{Verdict: Allow, List: "g", Ref: refP},
			Rel1: summary{Verdict: Allow, List: "g", Ref: ref1},
			Rel2: summary{Verdict: Allow, List: "g", Ref: ref2},
			Art1: summary{Verdict: Allow, List: "g", Ref: ref1},
			Art2: summary{Verdict: Allow, List: "g", Ref: ref2},
		}},
		{"expired allow is ignored", StaticLists{expired}, result{
			Pkg:  summary{Verdict: Block, Rules: pkgFindings, Ref: refP},
			Rel1: summary{Verdict: Allow, Ref: ref1},
			Rel2: summary{Verdict: Block, Rules: []string{"DEP-002:block"}, Ref: ref2},
			Art1: summary{Verdict: Block, Rules: pkgFindings, Ref: ref1},
			Art2: summary{Verdict: Block, Rules: append(append([]string{}, pkgFindings...), "DEP-002:block"), Ref: ref2},
		}},
		{"constrained allow keeps 1.x installable", StaticLists{entry("c", Allowlist, NPM, "fresh", "^1.0.0")}, result{
			Pkg:  summary{Verdict: Warn, Rules: []string{"DEP-002:warn", "DEP-005:warn"}, List: "c", Ref: refP},
			Rel1: summary{Verdict: Allow, List: "c", Ref: ref1},
			Rel2: summary{Verdict: Block, Rules: append(append([]string{}, pkgFindings...), "DEP-002:block"), Ref: ref2},
			Art1: summary{Verdict: Allow, List: "c", Ref: ref1},
			Art2: summary{Verdict: Block, Rules: append(append([]string{}, pkgFindings...), "DEP-002:block"), Ref: ref2},
		}},
		{"deny wins over allow", StaticLists{entry("a", Allowlist, NPM, "fresh", ""), entry("d", Deny, NPM, "fresh", "")}, result{
			Pkg:  summary{Verdict: Block, List: "d", Ref: refP},
			Rel1: summary{Verdict: Block, List: "d", Ref: ref1},
			Rel2: summary{Verdict: Block, List: "d", Ref: ref2},
			Art1: summary{Verdict: Block, List: "d", Ref: ref1},
			Art2: summary{Verdict: Block, List: "d", Ref: ref2},
		}},
		{"constrained deny within an allowlisted package", StaticLists{entry("a", Allowlist, NPM, "fresh", ""), entry("d", Deny, NPM, "fresh", ">=2.0.0")}, result{
			Pkg:  summary{Verdict: Allow, List: "a", Ref: refP},
			Rel1: summary{Verdict: Allow, List: "a", Ref: ref1},
			Rel2: summary{Verdict: Block, List: "d", Ref: ref2},
			Art1: summary{Verdict: Allow, List: "a", Ref: ref1},
			Art2: summary{Verdict: Block, List: "d", Ref: ref2},
		}},
		{"constrained deny alone leaves the package to the rules", StaticLists{entry("d", Deny, NPM, "fresh", "^1.0.0")}, result{
			Pkg:  summary{Verdict: Block, Rules: pkgFindings, Ref: refP},
			Rel1: summary{Verdict: Block, List: "d", Ref: ref1},
			Rel2: summary{Verdict: Block, Rules: []string{"DEP-002:block"}, Ref: ref2},
			Art1: summary{Verdict: Block, List: "d", Ref: ref1},
			Art2: summary{Verdict: Block, Rules: append(append([]string{}, pkgFindings...), "DEP-002:block"), Ref: ref2},
		}},
		{"entries of another ecosystem are ignored", StaticLists{entry("a", Allowlist, PyPI, "fresh", "")}, result{
			Pkg:  summary{Verdict: Block, Rules: pkgFindings, Ref: refP},
			Rel1: summary{Verdict: Allow, Ref: ref1},
			Rel2: summary{Verdict: Block, Rules: []string{"DEP-002:block"}, Ref: ref2},
			Art1: summary{Verdict: Block, Rules: pkgFindings, Ref: ref1},
			Art2: summary{Verdict: Block, Rules: append(append([]string{}, pkgFindings...), "DEP-002:block"), Ref: ref2},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := engineFor(t, DefaultSettings(DefaultStrategy), tt.entries)
			var got result
			must := func(d Decision, err error) summary {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
				return summarize(d)
			}
			got.Pkg = must(e.EvaluatePackage(ctx, pkg, now))
			got.Rel1 = must(e.EvaluateRelease(ctx, pkg, v1, f1, now))
			got.Rel2 = must(e.EvaluateRelease(ctx, pkg, v2, f2, now))
			got.Art1 = must(e.EvaluateArtifact(ctx, pkg, v1, f1, now))
			got.Art2 = must(e.EvaluateArtifact(ctx, pkg, v2, f2, now))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decisions (-want +got):\n%s", diff)
			}
		})
	}
}

// A constrained allow on a package whose package-level findings are only
// warnings: a download outside the range must list each finding once.
func TestEngineArtifactNoDuplicateFindings(t *testing.T) {
	pkg := oldPackage() // DEP-005 warn only
	e := engineFor(t, DefaultSettings(DefaultStrategy), StaticLists{entry("c", Allowlist, NPM, "old", "^1.0.0")})
	d, err := e.EvaluateArtifact(context.Background(), pkg, &pkg.Releases[1], nil, now)
	if err != nil {
		t.Fatal(err)
	}
	want := summary{Verdict: Warn, Rules: []string{"DEP-005:warn"}, Ref: Ref{Ecosystem: NPM, Name: "old", Version: "2.0.0"}}
	if diff := cmp.Diff(want, summarize(d)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestEngineArtifactOfMaliciousPackage(t *testing.T) {
	pkg := oldPackage("https://github.com/u/old")
	pkg.Status = StatusSecurityHolding
	e := engineFor(t, DefaultSettings(Relaxed), nil)
	rel := &pkg.Releases[0]
	rd, err := e.EvaluateRelease(context.Background(), pkg, rel, &rel.Files[0], now)
	if err != nil {
		t.Fatal(err)
	}
	if rd.Verdict != Allow {
		t.Fatalf("release alone: %s, want allow (the block is package-level)", rd.Verdict)
	}
	d, err := e.EvaluateArtifact(context.Background(), pkg, rel, &rel.Files[0], now)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Blocked() {
		t.Fatalf("direct download of a malicious package: %s, want block", d.Verdict)
	}
	if diff := cmp.Diff([]string{RuleMalicious}, d.Rules()); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	if got, want := d.Reason(), "npm replaced `old` with a security holding package: it was removed as malware"; got != want {
		t.Errorf("reason %q, want %q", got, want)
	}
	if d.Ref.File != "old-1.0.0.tgz" || d.Ref.Version != "1.0.0" {
		t.Errorf("ref %+v, want the file", d.Ref)
	}
}

func TestEngineDenyReport(t *testing.T) {
	deny := entry("d", Deny, PyPI, "evil-*", "")
	deny.Reason = "known bad family"
	e := engineFor(t, DefaultSettings(DefaultStrategy), StaticLists{deny})
	pkg := &Package{Ecosystem: PyPI, Name: "evil-pkg", Exists: true, Created: now.Add(-400 * day), Repositories: []string{"github:u/r"}}
	d, err := e.EvaluatePackage(context.Background(), pkg, now)
	if err != nil {
		t.Fatal(err)
	}
	r := d.Report()
	want := Report{Ecosystem: PyPI, Name: "evil-pkg", Verdict: Block, Reason: "denylisted by entry pypi:evil-*: known bad family", Findings: []Finding{}, List: &deny}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{RuleDenylist}, d.Rules()); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
}

func TestEngineNonexistentPackage(t *testing.T) {
	e := engineFor(t, DefaultSettings(DefaultStrategy), nil)
	d, err := e.EvaluatePackage(context.Background(), &Package{Ecosystem: PyPI, Name: "reqeusts"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{RuleNonexistent}, d.Rules()); diff != "" || !d.Blocked() {
		t.Errorf("verdict %s rules diff:\n%s", d.Verdict, diff)
	}
	if got, want := d.Reason(), "`reqeusts` does not exist on PyPI"; got != want {
		t.Errorf("reason %q, want %q", got, want)
	}
}

type failingLists struct{ err error }

func (l failingLists) Match(context.Context, Ref, time.Time) (*ListEntry, error) { return nil, l.err }

func TestEngineListsError(t *testing.T) {
	boom := errors.New("store closed")
	e := engineFor(t, DefaultSettings(DefaultStrategy), failingLists{boom})
	pkg := oldPackage()
	calls := map[string]func() (Decision, error){
		"package": func() (Decision, error) { return e.EvaluatePackage(context.Background(), pkg, now) },
		"release": func() (Decision, error) {
			return e.EvaluateRelease(context.Background(), pkg, &pkg.Releases[0], nil, now)
		},
		"artifact": func() (Decision, error) {
			return e.EvaluateArtifact(context.Background(), pkg, &pkg.Releases[0], nil, now)
		},
	}
	for name, call := range calls {
		_, err := call()
		if !errors.Is(err, boom) || !strings.Contains(err.Error(), "match lists for npm:old") {
			t.Errorf("%s: error %v, want wrapped %v", name, err, boom)
		}
	}
}

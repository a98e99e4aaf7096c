package deps

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/vigil-proxy/vigil-proxy/scanner"
)

// Options configure the dependency analyzer.
type Options struct {
	// Judge gives the registry verdicts (required).
	Judge Judge
	// AllowUnverified reports packages that could not be verified at low
	// severity instead of high (the scan then does not fail on them).
	AllowUnverified bool
	// ProxyHosts are host[:port] values of the configured proxy: registries
	// and indexes there are the firewall, not a way around it.
	ProxyHosts []string
}

// publicRegistries are the hosts lockfiles record by default; npm, yarn,
// pnpm and poetry fetch them from the configured registry instead, so a
// resolved URL there is not a bypass (an index *setting* there is).
var publicRegistries = []string{"registry.npmjs.org", "registry.yarnpkg.com", "registry.npmjs.com",
	"pypi.org", "files.pythonhosted.org", "pypi.python.org"}

// Analyzer raises DEP-000..005, DEP-007, DEP-008 and MAL-001 for the
// dependencies that manifests and lockfiles declare.
type Analyzer struct {
	opts Options

	mu       sync.Mutex
	decls    []fileDecl
	analyzed map[string]bool
	includes []include
	notes    []string
	// local are the projects the repository itself defines (ecosystem +
	// normalised name): a workspace member another manifest depends on is
	// built from the tree, not fetched by name.
	local map[localName]bool
}

type localName struct {
	eco  Ecosystem
	name string
}

type fileDecl struct {
	path string
	Declaration
}

type include struct{ from, target string }

// New returns an analyzer for one scan.
func New(opts Options) *Analyzer {
	return &Analyzer{opts: opts, analyzed: map[string]bool{}, local: map[localName]bool{}}
}

// Rules implements scanner.Analyzer.
func (a *Analyzer) Rules() []scanner.RuleInfo { return Rules }

// Wants implements scanner.Analyzer: manifests, lockfiles and registry
// configuration files.
// Wants the project's own manifests: a vendored package's manifest
// (node_modules/x/package.json, kept by --include-vendored) is covered by the
// project's lockfile entry for it.
func (a *Analyzer) Wants(p string) bool { return Kind(p) != "" && !scanner.IsVendoredPath(p) }

// Prepare tells a judge that can warm up (see Warmer) to start now when
// the project has a manifest or lockfile to judge.
func (a *Analyzer) Prepare(_ context.Context, p *scanner.Project) error {
	w, ok := a.opts.Judge.(Warmer)
	if !ok {
		return nil
	}
	for _, f := range p.Files {
		if a.Wants(f) {
			w.Warm()
			return nil
		}
	}
	return nil
}

// Analyze parses one file: DEP-008 findings now, the declarations are
// judged together in Finish.
func (a *Analyzer) Analyze(ctx context.Context, f *scanner.File) ([]scanner.Finding, error) {
	m, err := Parse(f.Path, f.Content)
	a.record(f.Path, m)
	out := a.bypassFindings(f.Path, f.Project, m.Bypasses, f.Line)
	if err != nil {
		return out, fmt.Errorf("dependencies not read: %w", err)
	}
	return out, nil
}

func (a *Analyzer) record(p string, m Manifest) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.analyzed[p] = true
	for _, d := range m.Deps {
		a.decls = append(a.decls, fileDecl{path: p, Declaration: d})
	}
	for _, inc := range m.Includes {
		a.includes = append(a.includes, include{from: p, target: inc})
	}
	if m.Name != "" {
		eco := PyPI
		if Kind(p) == "packagejson" {
			eco = NPM
		}
		a.local[localName{eco, NormalizeName(eco, m.Name)}] = true
	}
}

// NormalizeName is the form names compare in: PEP 503 for PyPI, as
// written for npm.
func NormalizeName(eco Ecosystem, name string) string {
	if eco == PyPI {
		return strings.ToLower(pep503Separators.ReplaceAllString(name, "-"))
	}
	return name
}

var pep503Separators = regexp.MustCompile(`[-_.]+`)

func (a *Analyzer) bypassFindings(p string, proj *scanner.Project, bs []Bypass, lineText func(int) string) []scanner.Finding {
	rule, _ := ruleInfo(RuleBypass)
	var allowed []string
	if proj != nil {
		allowed = proj.Config.StringsOption(RuleBypass, "allowed_hosts")
	}
	var out []scanner.Finding
	for _, b := range bs {
		if b.URL != "" && !a.bypasses(b, allowed) {
			continue
		}
		f := scanner.Finding{Rule: rule.ID, Severity: rule.Severity, Path: p, Line: b.Line,
			Message: "bypasses the registry: " + b.What}
		if b.Line > 0 && lineText != nil {
			f.Column, f.EndLine, f.EndColumn = 1, b.Line, len(lineText(b.Line))+1
		}
		out = append(out, f)
	}
	return out
}

// bypasses decides whether an index, registry or resolved URL leads around
// the proxy.
func (a *Analyzer) bypasses(b Bypass, allowed []string) bool {
	u := strings.TrimSpace(b.URL)
	if !strings.Contains(u, "://") {
		// --find-links ./wheels: a directory in the repository is reviewed
		// code; one outside it is not.
		return outsidePath(u)
	}
	pu, err := url.Parse(u)
	if err != nil || pu.Host == "" {
		return true
	}
	host := strings.ToLower(pu.Host)
	hostOnly := strings.ToLower(pu.Hostname())
	for _, h := range append(slices.Clone(a.opts.ProxyHosts), allowed...) {
		h = strings.ToLower(strings.TrimSpace(h))
		if h != "" && (h == host || h == hostOnly) {
			return false
		}
	}
	return !(b.Lockfile && slices.Contains(publicRegistries, hostOnly))
}

// Finish judges every declaration at once and reports at each
// declaration's line.
func (a *Analyzer) Finish(ctx context.Context, p *scanner.Project) ([]scanner.Finding, error) {
	var out []scanner.Finding
	a.followIncludes(p, &out)
	a.mu.Lock()
	var decls []fileDecl
	allowed := p.Config.StringsOption(RuleBypass, "allowed_hosts")
	for _, d := range a.decls {
		// A package a lockfile takes from another registry (DEP-008 says
		// so) is not judged by name on the public one: it may be private.
		// Nor is a project of this repository (a workspace member).
		if a.local[localName{d.Ecosystem, NormalizeName(d.Ecosystem, d.Name)}] {
			continue
		}
		if d.Resolved == "" || !a.bypasses(Bypass{URL: d.Resolved, Lockfile: true}, allowed) {
			decls = append(decls, d)
		}
	}
	a.mu.Unlock()
	if len(decls) == 0 {
		return out, nil
	}
	index := map[Query]int{}
	var qs []Query
	for _, d := range decls {
		q := d.query()
		if _, ok := index[q]; !ok {
			index[q] = len(qs)
			qs = append(qs, q)
		}
	}
	answers, err := a.opts.Judge.Judge(ctx, qs)
	if n, ok := a.opts.Judge.(Noter); ok {
		a.notes = append(a.notes, n.Notes()...)
	}
	if err != nil {
		if ctx.Err() != nil {
			return out, err
		}
		answers = make([]Answer, len(qs))
		for i, q := range qs {
			answers[i] = Answer{Query: q, Name: q.Name, Unverified: err.Error()}
		}
		a.notes = append(a.notes, "dependencies could not be verified: "+err.Error())
	}
	if len(answers) != len(qs) {
		return out, fmt.Errorf("judge answered %d of %d packages", len(answers), len(qs))
	}
	lineTexts := map[string][]string{}
	for _, d := range decls {
		ans := answers[index[d.query()]]
		for _, f := range a.findings(d, ans) {
			if f.Line > 0 {
				ls, ok := lineTexts[d.path]
				if !ok {
					if b, err := p.ReadFile(d.path); err == nil {
						ls = splitLines(b)
					}
					lineTexts[d.path] = ls
				}
				if f.Line <= len(ls) {
					f.Column, f.EndLine, f.EndColumn = 1, f.Line, len(ls[f.Line-1])+1
				}
			}
			out = append(out, f)
		}
	}
	return out, nil
}

func (d fileDecl) query() Query {
	return Query{Ecosystem: d.Ecosystem, Name: d.Name, Spec: d.Spec}
}

// followIncludes parses requirement files named with -r/-c that the walk
// did not hand over (other names, e.g. base.in).
func (a *Analyzer) followIncludes(p *scanner.Project, out *[]scanner.Finding) {
	for i := 0; i < len(a.includes) && i < 1000; i++ {
		inc := a.includes[i]
		target := path.Clean(path.Join(path.Dir(inc.from), inc.target))
		if strings.HasPrefix(target, "..") || a.analyzed[target] || isURL(inc.target) || !p.HasFile(target) {
			continue
		}
		b, err := p.ReadFile(target)
		if err != nil {
			continue
		}
		m, _ := parseRequirements(b)
		a.record(target, m)
		ls := splitLines(b)
		*out = append(*out, a.bypassFindings(target, p, m.Bypasses, func(n int) string {
			if n <= len(ls) {
				return ls[n-1]
			}
			return ""
		})...)
	}
}

// findings maps one answer onto findings at a declaration: a block is
// reported at the rule's severity, a warn one level lower; only the
// findings at the answer's verdict are reported, as the proxy's reason
// does.
func (a *Analyzer) findings(d fileDecl, ans Answer) []scanner.Finding {
	subject := string(d.Ecosystem) + " package " + d.Name
	if d.Spec != "" {
		subject += " " + d.Spec
	}
	extra := map[string]string{"ecosystem": string(d.Ecosystem), "package": d.Name}
	if d.Spec != "" {
		extra["spec"] = d.Spec
	}
	if ans.Version != "" {
		extra["version"] = ans.Version
		if ans.Version != d.Spec && strings.TrimLeft(d.Spec, "=") != ans.Version {
			subject += " (resolves to " + ans.Version + ")"
		}
	}
	at := func(rule scanner.RuleInfo, sev scanner.Severity, msg string) scanner.Finding {
		return scanner.Finding{Rule: rule.ID, Severity: sev, Path: d.path, Line: d.Line, Message: msg, Extra: extra}
	}
	notCleared, _ := ruleInfo(RuleNotCleared)
	if ans.Unverified != "" {
		sev := notCleared.Severity
		if a.opts.AllowUnverified {
			sev = scanner.Low
		}
		return []scanner.Finding{at(notCleared, sev, "could not verify "+subject+": "+ans.Unverified)}
	}
	var out []scanner.Finding
	blockedByRule := false
	for _, f := range ans.Findings {
		// As the proxy explains a decision: by the findings at its own
		// verdict (a blocked typosquat is not also "barely used").
		if f.Verdict == Allow || f.Verdict < ans.Verdict {
			continue
		}
		rule, ok := ruleInfo(f.Rule)
		if !ok || rule.ID == RuleBypass || rule.ID == RuleNotCleared {
			rule = notCleared
		}
		sev := rule.Severity
		if f.Verdict == Warn {
			sev = sev.Lower()
		} else {
			blockedByRule = true
		}
		msg := subject + ": " + f.Reason
		if len(f.Suggestions) > 0 && !strings.Contains(f.Reason, f.Suggestions[0]) {
			msg += " (did you mean " + strings.Join(f.Suggestions, ", ") + "?)"
		}
		out = append(out, at(rule, sev, msg))
	}
	if ans.Verdict == Block && !blockedByRule {
		reason := ans.ListReason
		if reason == "" {
			reason = "refused by the registry policy"
		}
		out = append(out, at(notCleared, notCleared.Severity, subject+": "+reason))
	}
	return out
}

// Notes implements scanner.Noter.
func (a *Analyzer) Notes() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Compact(slices.Clone(a.notes))
}

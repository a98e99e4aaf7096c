package imports

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/vigil-proxy/vigil-proxy/scanner"
	"github.com/vigil-proxy/vigil-proxy/scanner/treesitter"
)

// Rule is DEP-006's metadata.
var Rule = scanner.RuleInfo{
	ID: "DEP-006", Name: "UndeclaredImport", Title: "Import not declared in any manifest",
	Category: scanner.CategoryDep, Severity: scanner.Medium, Security: true, CWE: []int{1357}, Precision: "medium",
	Tags: []string{"supply-chain"},
	Description: "Source code imports a package that no manifest of the project (requirements, pyproject.toml, Pipfile, " +
		"setup.cfg/setup.py, package.json) declares — in a monorepo, the manifest of the package or project the file belongs to. Coding assistants write such imports from memory; whoever then " +
		"installs the missing package by hand may install a different one — or a slopsquat registered under the " +
		"invented name. Production code importing a dependency declared only for development is reported too: it " +
		"breaks in production installs.",
	Impact: "An undeclared dependency is installed by hand, outside review and the lockfile, possibly under a name an attacker registered.",
	Fix:    "Declare the dependency under its correct registry name (the import → distribution mapping is in the finding), or remove the import.",
	Bad:    "# requirements.txt: fastapi\nimport yaml          # not declared",
	Good:   "# requirements.txt: fastapi, PyYAML\nimport yaml",
}

// Dependency is one declared dependency.
type Dependency struct {
	Ecosystem string // "pypi" or "npm"
	Name      string // as declared
	Dev       bool   // development-only (devDependencies, dev groups, requirements-dev.txt)
	// Dir is the project directory of the manifest declaring it ("" for
	// the repository root); File is that manifest's path.
	Dir, File string
	// Self marks the manifest's own project name rather than a dependency.
	Self bool
}

// Manifest is one manifest file of the project.
type Manifest struct {
	Ecosystem string
	Path      string
	// Dir is the project directory it declares for ("" for the root).
	Dir string
	// Project: the manifest makes Dir a project root, whose code is
	// compared with the manifests of Dir (and of the directories between
	// the code and Dir) first.
	Project bool
	// Compared: its declarations are known (not a setup.py computing them).
	Compared bool
}

// Options configure the analyzer.
type Options struct {
	// Declared returns the project's declared dependencies and its
	// manifests (no manifest: no judgement, since nothing can be compared).
	Declared func(ctx context.Context, p *scanner.Project) (deps []Dependency, manifests []Manifest, err error)
	// Tables are the shipped lists (LoadTables() when nil).
	Tables *Tables
	// Judge, when set, is asked about undeclared names (by ecosystem) so
	// that a nonexistent or typosquatted one is raised with the proxy's
	// DEP-001/DEP-003 reason too. It returns findings keyed by name, without
	// a position.
	Judge func(ctx context.Context, eco string, names []string) (map[string][]scanner.Finding, error)
	// JudgeRules is the metadata of the rules Judge may raise (DEP-001,
	// DEP-003…), so that the engine reports them.
	JudgeRules []scanner.RuleInfo
}

// Analyzer raises DEP-006. One value serves one scan.
type Analyzer struct {
	opts Options

	mu    sync.Mutex
	files []fileImports
	dists map[string]string // import name → distribution, from installed metadata
	// ecosystems with a manifest in the project, and the project's own
	// module names (set by Prepare).
	ecosystems map[string]bool
	local      map[string]map[string]bool
}

type fileImports struct {
	path    string
	test    bool
	eco     string
	imports []Import
	// installs are what a notebook installs itself (%pip install x).
	installs map[string]bool
}

// devContext: tests, and the code development dependencies exist for —
// build and tool configuration (vite.config.ts, noxfile.py, setup.py),
// scripts, docs, examples and benchmarks — which no production install runs.
func (fi fileImports) devContext() bool { return fi.test || toolingPath(fi.path) }

// buildBackends are what setup.py may import without a declaration.
var buildBackends = map[string]bool{"setuptools": true, "pkg_resources": true, "distutils": true}

// toolingDirs hold maintainer code, not the shipped package.
var toolingDirs = map[string]bool{
	"scripts": true, "script": true, "tools": true, "tooling": true, "docs": true, "doc": true,
	"examples": true, "example": true, "benchmarks": true, "benchmark": true, "bench": true,
	".storybook": true, ".github": true, ".circleci": true, ".husky": true, "ci": true,
}

// toolingFiles are build and task runner entry points by name.
var toolingFiles = map[string]bool{
	"setup.py": true, "noxfile.py": true, "tasks.py": true, "fabfile.py": true, "dodo.py": true, "conftest.py": true,
	"gulpfile.js": true, "gulpfile.mjs": true, "gulpfile.ts": true, "gruntfile.js": true, "jakefile.js": true,
	"webpack.config.js": true, "karma.conf.js": true, "protractor.conf.js": true,
}

// toolingPath reports whether a slash path is development tooling rather
// than shipped code: a build or task file (setup.py, noxfile.py,
// gulpfile.js), a tool's configuration (vite.config.ts, jest.config.js,
// eslint.config.mjs, .eslintrc.js, webpack.prod.js), a story, or a file
// under scripts/, tools/, docs/, examples/, benchmarks/ or CI directories.
func toolingPath(p string) bool {
	lp := strings.ToLower(p)
	dir, base := path.Split(lp)
	for _, seg := range strings.Split(strings.Trim(dir, "/"), "/") {
		if toolingDirs[seg] {
			return true
		}
	}
	if toolingFiles[base] {
		return true
	}
	stem := strings.TrimSuffix(base, path.Ext(base))
	switch {
	case strings.HasSuffix(stem, ".config"), strings.Contains(stem, ".config."), // vite.config.ts, vitest.config.e2e.ts
		strings.HasSuffix(stem, ".conf") && treesitter.LangForPath(lp) != treesitter.Python,
		strings.HasPrefix(base, ".") && strings.HasSuffix(stem, "rc"), // .eslintrc.js, .prettierrc.cjs
		strings.HasPrefix(base, "webpack.") || strings.HasPrefix(base, "rollup.") || strings.HasPrefix(base, "gulpfile."),
		strings.HasSuffix(stem, ".stories"), strings.HasSuffix(stem, ".story"):
		return true
	}
	return false
}

// New returns a fresh analyzer.
func New(opts Options) *Analyzer {
	if opts.Tables == nil {
		opts.Tables = LoadTables()
	}
	return &Analyzer{opts: opts, dists: map[string]string{}}
}

var (
	_ scanner.Analyzer = (*Analyzer)(nil)
	_ scanner.Preparer = (*Analyzer)(nil)
	_ scanner.Finisher = (*Analyzer)(nil)
)

func (a *Analyzer) Rules() []scanner.RuleInfo {
	return append([]scanner.RuleInfo{Rule}, a.opts.JudgeRules...)
}

// Wants the project's own code: vendored trees (kept by --include-vendored)
// import what their own manifests declare, which the lockfile already pins.
func (a *Analyzer) Wants(p string) bool {
	return (treesitter.LangForPath(p) != treesitter.None || isNotebook(p)) && !scanner.IsVendoredPath(p) && !copiedIn(p)
}

// copiedInDirs hold third-party code copied into the repository
// (pip/_vendor, third_party/): it imports what its own upstream declares.
var copiedInDirs = map[string]bool{"_vendor": true, "vendor": true, "vendored": true, "third_party": true, "thirdparty": true, "3rdparty": true, "third-party": true}

func copiedIn(p string) bool {
	dir, _ := path.Split(p)
	for _, seg := range strings.Split(strings.Trim(dir, "/"), "/") {
		if copiedInDirs[strings.ToLower(seg)] {
			return true
		}
	}
	return false
}

// Prepare learns which ecosystems have a manifest: imports are only
// extracted (and files only parsed for them) where there is something to
// compare with.
func (a *Analyzer) Prepare(ctx context.Context, p *scanner.Project) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ecosystems = map[string]bool{}
	a.local = localNames(p)
	for _, f := range p.Files {
		switch base := path.Base(f); {
		case base == "package.json":
			a.ecosystems["npm"] = true
		case base == "pyproject.toml", base == "Pipfile", base == "setup.cfg", base == "setup.py",
			strings.HasSuffix(base, ".txt") && (strings.Contains(base, "requirements") || path.Base(path.Dir(f)) == "requirements"):
			a.ecosystems["pypi"] = true // requirements.txt, requirements/base.txt
		}
	}
	return nil
}

// NeedsTree: a code file of an ecosystem the project declares dependencies
// for that may import a package (not only the standard library, Node
// built-ins and the project's own modules).
func (a *Analyzer) NeedsTree(p string, content []byte) bool {
	a.mu.Lock()
	ecosystems, local := a.ecosystems, a.local
	a.mu.Unlock()
	if ecosystems == nil {
		return true
	}
	lang := treesitter.LangForPath(p)
	eco := "npm"
	if lang == treesitter.Python {
		eco = "pypi"
	}
	if !ecosystems[eco] {
		return false
	}
	return mayImportPackage(lang, content, func(name string) bool { return a.ignorable(eco, name, local) })
}

// AddInstalledMetadata records import names provided by installed
// distributions (from *.dist-info/top_level.txt or RECORD).
func (a *Analyzer) AddInstalledMetadata(importName, dist string) {
	a.mu.Lock()
	a.dists[importName] = dist
	a.mu.Unlock()
}

func (a *Analyzer) Analyze(ctx context.Context, f *scanner.File) ([]scanner.Finding, error) {
	if isNotebook(f.Path) {
		return nil, a.analyzeNotebook(ctx, f)
	}
	if f.Tree == nil {
		return nil, nil
	}
	fi := fileImports{path: f.Path, test: f.Test}
	if f.Lang == treesitter.Python {
		fi.eco = "pypi"
		fi.imports = PythonImports(f.Tree.Root())
	} else {
		fi.eco = "npm"
		fi.imports = JSImports(f.Tree.Root())
		if declarationFile(f.Path) {
			// A .d.ts file holds types only: its imports never run.
			for i := range fi.imports {
				fi.imports[i].Optional = true
			}
		}
	}
	if len(fi.imports) > 0 {
		a.mu.Lock()
		a.files = append(a.files, fi)
		a.mu.Unlock()
	}
	return nil, nil
}

// declarationFile: a TypeScript declaration file (.d.ts, .d.mts, .d.cts).
func declarationFile(p string) bool {
	lp := strings.ToLower(p)
	return strings.HasSuffix(lp, ".d.ts") || strings.HasSuffix(lp, ".d.mts") || strings.HasSuffix(lp, ".d.cts")
}

// analyzeNotebook records a Jupyter notebook's imports (when the project
// has a Python manifest to compare them with).
func (a *Analyzer) analyzeNotebook(ctx context.Context, f *scanner.File) error {
	a.mu.Lock()
	ecosystems := a.ecosystems
	a.mu.Unlock()
	if ecosystems != nil && !ecosystems["pypi"] {
		return nil
	}
	imps, installs, err := NotebookImports(ctx, f.Content)
	if err != nil {
		return fmt.Errorf("imports not read: %w", err)
	}
	fi := fileImports{path: f.Path, test: f.Test, eco: "pypi", imports: imps}
	if len(installs) > 0 {
		fi.installs = map[string]bool{}
		for _, n := range installs {
			fi.installs[normalize("pypi", n)] = true
		}
	}
	if len(imps) > 0 {
		a.mu.Lock()
		a.files = append(a.files, fi)
		a.mu.Unlock()
	}
	return nil
}

var nonAlnum = regexp.MustCompile(`[-_.]+`)

// normalize is PEP 503 for PyPI names; npm names compare as written.
func normalize(eco, name string) string {
	if eco == "pypi" {
		return strings.ToLower(nonAlnum.ReplaceAllString(name, "-"))
	}
	return name
}

func (a *Analyzer) Finish(ctx context.Context, p *scanner.Project) ([]scanner.Finding, error) {
	if a.opts.Declared == nil {
		return nil, nil
	}
	deps, manifests, err := a.opts.Declared(ctx, p)
	if err != nil {
		return nil, err
	}
	idx := newScopeIndex(deps, manifests)
	local := localNames(p)
	var misses []miss
	for _, fi := range a.files {
		sc := idx.scopeOf(fi.eco, fi.path)
		if !sc.compared {
			continue
		}
		seen := map[string]bool{}
		for _, imp := range fi.imports {
			if imp.Optional || a.ignorable(fi.eco, imp.Name, local) {
				continue
			}
			if fi.eco == "pypi" && path.Base(fi.path) == "setup.py" && buildBackends[imp.Name] {
				continue // the build frontend provides setuptools to setup.py
			}
			targets := []pyTarget{{key: imp.Name, module: imp.Name}}
			if fi.eco == "pypi" {
				targets = a.opts.Tables.pythonTargets(imp)
			}
			for _, tg := range targets {
				if seen[tg.key] {
					continue
				}
				seen[tg.key] = true
				if m, ok := a.judgeImport(fi, imp, tg, sc, idx); !ok {
					misses = append(misses, m)
				}
			}
		}
	}
	slices.SortStableFunc(misses, func(x, y miss) int {
		if c := strings.Compare(x.fi.path, y.fi.path); c != 0 {
			return c
		}
		return x.imp.Line - y.imp.Line
	})
	judged := a.judgeUndeclared(ctx, misses2names(misses, func(m miss) (string, string, bool) { return m.fi.eco, m.registry, m.registry == "" }))
	var out []scanner.Finding
	for _, m := range misses {
		sev := Rule.Severity
		if m.fi.devContext() {
			sev = sev.Lower()
		}
		extra := map[string]string{"ecosystem": m.fi.eco, "import": m.tg.key}
		if m.dist != "" {
			extra["distribution"] = m.dist
		}
		out = append(out, scanner.Finding{
			Rule: Rule.ID, Severity: sev, Path: m.fi.path, Line: m.imp.Line, Column: m.imp.Col,
			EndLine: m.imp.Line, EndColumn: m.imp.Col + 1, Message: m.msg, Extra: extra,
		})
		if m.registry == "" {
			continue
		}
		for _, jf := range judged[m.fi.eco+"\x00"+m.registry] {
			jf.Path, jf.Line, jf.Column, jf.EndLine, jf.EndColumn = m.fi.path, m.imp.Line, m.imp.Col, m.imp.Line, m.imp.Col+1
			jf.Message = "undeclared import " + m.tg.key + ": " + jf.Message
			out = append(out, jf)
		}
	}
	return out, nil
}

// miss is one undeclared import.
type miss struct {
	fi  fileImports
	imp Import
	tg  pyTarget
	msg string
	// dist is the distribution that provides the import, when known.
	dist string
	// registry is the name the judge is asked about ("" when not: the
	// name is declared elsewhere in the repository, or only guessed).
	registry string
}

// judgeImport compares one import target with the declarations its file
// sees: its own project's (the nearest project root above it, and any
// manifest between), then, for tests and tooling only, those of the
// projects above (a workspace root's devDependencies, a repository-wide
// requirements-dev.txt).
func (a *Analyzer) judgeImport(fi fileImports, imp Import, tg pyTarget, sc *fileScope, idx *scopeIndex) (miss, bool) {
	eco := fi.eco
	dev := fi.devContext()
	if eco == "npm" && (sc.self[imp.Name] || dev && sc.ancSelf[imp.Name]) {
		return miss{}, true // the package itself (or, for its tests, a project above it)
	}
	has := func(s *declSet) bool { return a.declaredTarget(eco, tg, s) }
	switch {
	case has(sc.prod) || fi.installs != nil && a.declaredTarget(eco, tg, setOf(eco, fi.installs)):
		return miss{}, true
	case has(sc.dev):
		if dev {
			return miss{}, true
		}
		return miss{fi: fi, imp: imp, tg: tg, msg: fmt.Sprintf("production code imports %s, which is declared only as a development dependency", tg.key)}, false
	case has(sc.anc):
		if dev {
			return miss{}, true
		}
		where := strings.Join(sc.ancFiles(func(f string) bool { return a.declaredTarget(eco, tg, idx.fileSets[f]) }), ", ")
		if eco == "npm" {
			return miss{fi: fi, imp: imp, tg: tg, msg: fmt.Sprintf("imports %s, which only %s above this package declares, not its own %s: "+
				"it resolves by hoisting and breaks where the package is installed on its own (pnpm's isolated node_modules, Yarn PnP, "+
				"a published or deployed package)", tg.key, where, sc.ownFile)}, false
		}
		return miss{fi: fi, imp: imp, tg: tg, dist: a.distFor(tg), msg: fmt.Sprintf("imports %s, which only %s above this project declares, not its own %s: "+
			"installing the project does not install it", tg.key, where, sc.ownFile)}, false
	}
	if eco == "npm" && idx.selfNames[imp.Name] != "" {
		return miss{fi: fi, imp: imp, tg: tg, msg: fmt.Sprintf("imports the workspace package %s (%s) without declaring it in %s: "+
			"pnpm and Yarn link only declared workspace packages (add \"%s\": \"workspace:*\" with pnpm or Yarn, its version with npm)", imp.Name, idx.selfNames[imp.Name], sc.ownFileOr("its package.json"), imp.Name)}, false
	}
	if elsewhere := idx.declaringFiles(eco, func(s *declSet) bool { return a.declaredTarget(eco, tg, s) }); len(elsewhere) > 0 {
		kind := "project"
		if eco == "npm" {
			kind = "package"
		}
		return miss{fi: fi, imp: imp, tg: tg, dist: a.distFor(tg), msg: fmt.Sprintf("imports %s, which %s declares but not this %s's %s",
			tg.key, strings.Join(elsewhere, ", "), kind, sc.ownFileOr("manifest"))}, false
	}
	m := miss{fi: fi, imp: imp, tg: tg, dist: a.distFor(tg), registry: registryName(eco, tg.key)}
	m.msg = fmt.Sprintf("imports %s, which no manifest declares", tg.key) + a.hint(eco, tg)
	if tg.ns != "" {
		// A guessed distribution name is not asked about: a wrong guess
		// would be reported as nonexistent or as a typosquat.
		m.registry = ""
		if _, ds := a.opts.Tables.explicitDists(tg.module, tg.ns); len(ds) > 0 {
			m.registry = normalize(eco, ds[0])
		}
	}
	return m, false
}

// distFor is the distribution providing a Python target, when known.
func (a *Analyzer) distFor(tg pyTarget) string {
	if tg.ns != "" {
		return a.opts.Tables.reportedDist(tg)
	}
	if ds := a.opts.Tables.PythonDists[tg.key]; len(ds) > 0 {
		return ds[0]
	}
	return ""
}

// declaredTarget: an npm package or a Python import target covered by a
// declared set.
func (a *Analyzer) declaredTarget(eco string, tg pyTarget, s *declSet) bool {
	if s == nil {
		return false
	}
	if tg.ns != "" {
		return a.declaredNamespaced(tg, s)
	}
	return a.declared(eco, tg.key, s)
}

func setOf(eco string, names map[string]bool) *declSet {
	s := newDeclSet()
	for n := range names {
		s.add(eco, n)
	}
	return s
}

func misses2names[T any](ms []T, f func(T) (eco, name string, dev bool)) map[string][]string {
	out := map[string][]string{}
	seen := map[string]bool{}
	for _, m := range ms {
		eco, name, dev := f(m)
		if dev {
			continue
		}
		rn := registryName(eco, name)
		if !seen[eco+rn] {
			seen[eco+rn] = true
			out[eco] = append(out[eco], rn)
		}
	}
	return out
}

// registryName guesses the registry name an undeclared import would be
// installed under: the import name itself (PEP 503 form for PyPI).
func registryName(eco, name string) string { return normalize(eco, name) }

func (a *Analyzer) judgeUndeclared(ctx context.Context, names map[string][]string) map[string][]scanner.Finding {
	out := map[string][]scanner.Finding{}
	if a.opts.Judge == nil {
		return out
	}
	for eco, ns := range names {
		res, err := a.opts.Judge(ctx, eco, ns)
		if err != nil {
			continue // DEP-006 stands on its own; the judge's outage is its own note
		}
		for name, fs := range res {
			out[eco+"\x00"+name] = fs
		}
	}
	return out
}

// ignorable: standard library, Node built-ins, the project's own modules.
func (a *Analyzer) ignorable(eco, name string, local map[string]map[string]bool) bool {
	t := a.opts.Tables
	if eco == "pypi" {
		return t.PythonStdlib[name] || local["pypi"][name] || strings.HasPrefix(name, "_") && t.PythonStdlib[strings.TrimPrefix(name, "_")]
	}
	first, _, _ := strings.Cut(name, "/")
	if t.NodeBuiltins[name] || local["npm"][name] || local["npm"][first] {
		return true
	}
	for alias := range local[aliasKey] {
		if aliased(name, []string{alias}) {
			return true
		}
	}
	return false
}

// aliasKey holds, in localNames' map, the tsconfig/jsconfig path aliases.
const aliasKey = "npm-alias"

// declared reports whether an import is covered by the declared set.
func (a *Analyzer) declared(eco, name string, ds *declSet) bool {
	set := ds.names
	if len(set) == 0 {
		return false
	}
	if eco == "npm" {
		if set[name] {
			return true
		}
		// Path aliases and workspace globs are declared as prefixes ("@app/*").
		for d := range set {
			if prefix, ok := strings.CutSuffix(d, "*"); ok && strings.HasPrefix(name+"/", prefix) {
				return true
			}
		}
		return false
	}
	n := normalize(eco, name)
	if set[n] || set["python-"+n] || set[n+"-python"] || set["py"+n] || set[n+"py"] {
		return true
	}
	for _, d := range a.opts.Tables.PythonDists[name] {
		if set[normalize(eco, d)] {
			return true
		}
	}
	for _, d := range a.opts.Tables.PythonBroughtBy[name] {
		if set[normalize(eco, d)] {
			return true
		}
	}
	for _, fam := range a.opts.Tables.PythonBroughtByFamily {
		if fam.Imports[name] && ds.hasPrefix(fam.Prefix) {
			return true
		}
	}
	a.mu.Lock()
	d, ok := a.dists[name]
	a.mu.Unlock()
	if ok && set[normalize(eco, d)] {
		return true
	}
	// A namespace family python-namespaces.txt does not list:
	// `import plone.api` with plone.api declared.
	for dn := range set {
		if strings.HasPrefix(dn, n+"-") {
			return true
		}
	}
	return false
}

func (a *Analyzer) hint(eco string, tg pyTarget) string {
	if eco != "pypi" {
		return ""
	}
	if d := a.distFor(tg); d != "" && (tg.ns != "" || normalize(eco, d) != normalize(eco, tg.key)) {
		return fmt.Sprintf(" (the import %s is provided by the distribution %s)", tg.key, d)
	}
	return ""
}

// localNames are the project's own module names: every directory holding
// Python files and every Python module stem (namespace packages included),
// and for JavaScript the workspace package names and top-level directories
// (baseUrl-style imports), and the tsconfig/jsconfig path aliases.
func localNames(p *scanner.Project) map[string]map[string]bool {
	out := map[string]map[string]bool{"pypi": {}, "npm": {}, aliasKey: {}}
	for _, a := range projectAliases(p) {
		out[aliasKey][a] = true
	}
	for _, f := range p.Files {
		dir, base := path.Split(f)
		switch treesitter.LangForPath(f) {
		case treesitter.Python:
			out["pypi"][strings.TrimSuffix(base, path.Ext(base))] = true
			for _, seg := range strings.Split(strings.Trim(dir, "/"), "/") {
				if seg != "" {
					out["pypi"][seg] = true
				}
			}
		case treesitter.JavaScript, treesitter.TypeScript, treesitter.TSX:
			segs := strings.Split(strings.Trim(dir, "/"), "/")
			if len(segs) > 0 && segs[0] != "" {
				out["npm"][segs[0]] = true
				if segs[0] == "src" && len(segs) > 1 {
					out["npm"][segs[1]] = true
				}
			}
		}
	}
	return out
}

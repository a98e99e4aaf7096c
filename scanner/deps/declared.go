package deps

import (
	"bytes"
	"context"
	"path"
	"regexp"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/scanner"
)

// manifestKinds are the files that declare what a project depends on
// directly (lockfiles list transitive packages too, and registry settings
// declare nothing).
var manifestKinds = map[string]bool{"requirements": true, "pyproject": true, "pipfile": true, "setupcfg": true, "setuppy": true, "packagejson": true}

// DeclaredDep is one direct declaration and the manifest it comes from.
type DeclaredDep struct {
	Declaration
	// File is the manifest's slash path.
	File string
	// Dir is the project directory the manifest declares for (see
	// ManifestFile.Dir).
	Dir string
	// Self marks the manifest's own project name (package.json "name",
	// pyproject's project name): what the project may import of itself,
	// and what other projects of the repository depend on.
	Self bool
}

// ManifestFile is one manifest DEP-006 compares imports with.
type ManifestFile struct {
	Path      string
	Ecosystem Ecosystem
	// Dir is the project directory the manifest declares for: its own
	// directory, or for requirements/base.txt the directory above
	// requirements/.
	Dir string
	// Project marks a manifest that makes its directory a project root
	// whose code it governs: a package.json with a name, dependencies or
	// workspaces (not one that only sets "type"), a pyproject.toml with a
	// [project] or [tool.poetry] table (not one that only configures
	// tools), a setup.cfg with metadata or requirements, a setup.py that
	// declares or computes requirements, a Pipfile, a requirements file.
	Project bool
	// Compared marks a manifest whose declarations are known: a setup.py
	// that computes its requirements is not (it cannot show an import
	// undeclared).
	Compared bool
}

// Declared lists the dependencies the project's manifests declare directly,
// each with its manifest, and the manifests themselves: what DEP-006
// compares imports with. The devDependencies of a private package.json
// count as its dependencies. Requirements files named for development or
// tests (requirements-dev.txt, test-requirements.txt, requirements/test.txt)
// declare development-only packages. Unreadable or unparsable manifests
// declare nothing (the dependency analyzer reports them).
func Declared(ctx context.Context, p *scanner.Project) ([]DeclaredDep, []ManifestFile, error) {
	var out []DeclaredDep
	var manifests []ManifestFile
	for _, f := range p.Files {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		kind := Kind(f)
		if !manifestKinds[kind] {
			continue
		}
		eco := PyPI
		if kind == "packagejson" {
			eco = NPM
		}
		mf := ManifestFile{Path: f, Ecosystem: eco, Dir: manifestDir(f, kind)}
		b, err := p.ReadFile(f)
		if err != nil {
			mf.Compared = counts(kind, Manifest{})
			manifests = append(manifests, mf)
			continue
		}
		m, _ := Parse(f, b)
		mf.Compared = counts(kind, m)
		mf.Project = definesProject(kind, m, b)
		manifests = append(manifests, mf)
		if m.Name != "" {
			out = append(out, DeclaredDep{Declaration: Declaration{Ecosystem: eco, Name: m.Name}, File: f, Dir: mf.Dir, Self: true})
		}
		dev := kind == "requirements" && devRequirements(f)
		for _, d := range append(m.Deps, m.Unjudged...) {
			// A private package (an application, a workspace root) has no
			// consumers: whether its code may use a devDependency is up to
			// its bundler or deployment, which DEP-006 cannot see.
			d.Dev = (d.Dev || dev) && !m.Private
			out = append(out, DeclaredDep{Declaration: d, File: f, Dir: mf.Dir})
		}
		if kind == "requirements" {
			// worker/requirements.txt with `-r ../requirements.txt`
			// declares the included file's requirements for worker/ too.
			out = append(out, includedRequirements(p, f, m.Requires, dev, mf.Dir, map[string]bool{f: true})...)
		}
	}
	return out, manifests, nil
}

// includedRequirements are the requirements of the files a requirements
// file names with -r (recursively, inside the repository), declared for
// the including file's project directory.
func includedRequirements(p *scanner.Project, from string, requires []string, dev bool, dir string, seen map[string]bool) []DeclaredDep {
	var out []DeclaredDep
	for _, r := range requires {
		inc := path.Clean(path.Join(path.Dir(from), r))
		if seen[inc] || inc == ".." || strings.HasPrefix(inc, "../") || path.IsAbs(r) || len(seen) > 32 {
			continue
		}
		seen[inc] = true
		b, err := p.ReadFile(inc)
		if err != nil {
			continue // the dependency analyzer reports a missing include
		}
		m, _ := parseRequirements(b)
		incDev := dev || devRequirements(inc)
		for _, d := range append(m.Deps, m.Unjudged...) {
			d.Dev = d.Dev || incDev
			out = append(out, DeclaredDep{Declaration: d, File: inc, Dir: dir})
		}
		out = append(out, includedRequirements(p, inc, m.Requires, incDev, dir, seen)...)
	}
	return out
}

// manifestDir is the project directory a manifest declares for: its own,
// or the one above a requirements/ directory (requirements/base.txt).
func manifestDir(f, kind string) string {
	dir := path.Dir(f)
	if kind == "requirements" && path.Base(dir) == "requirements" {
		dir = path.Dir(dir)
	}
	if dir == "." {
		return ""
	}
	return dir
}

var (
	pyprojectTable  = regexp.MustCompile(`(?m)^\s*\[\s*(project|tool\.poetry)\s*[\].]`)
	setupCfgProject = regexp.MustCompile(`(?mi)^\s*\[\s*(metadata|options)\s*\]`)
)

// definesProject: see ManifestFile.Project.
func definesProject(kind string, m Manifest, b []byte) bool {
	switch kind {
	case "packagejson":
		return m.Name != "" || len(m.Deps)+len(m.Unjudged) > 0 || bytes.Contains(b, []byte(`"workspaces"`))
	case "pyproject":
		return m.Name != "" || pyprojectTable.Match(b)
	case "setupcfg":
		return len(m.Deps)+len(m.Unjudged) > 0 || setupCfgProject.Match(b)
	case "setuppy":
		// A bare setup() shim (its metadata in setup.cfg or pyproject.toml
		// beside it) names no requirements and makes no project of its own.
		return len(m.Deps)+len(m.Unjudged) > 0 || m.Incomplete
	}
	return true // Pipfile, requirements files
}

// counts reports whether a manifest's declarations are known, so that
// imports can be compared with them. A setup.py counts only when it
// declares requirements and computes none (many read them from elsewhere,
// or declare nothing at all).
func counts(kind string, m Manifest) bool {
	if kind == "setuppy" {
		return len(m.Deps) > 0 && !m.Incomplete
	}
	return true
}

func devRequirements(p string) bool {
	lp := strings.ToLower(p)
	base := path.Base(lp)
	for _, w := range []string{"dev", "test", "lint", "doc", "ci"} {
		if strings.Contains(strings.TrimSuffix(base, ".txt"), w) || strings.Contains(path.Dir(lp), "requirements") && strings.HasPrefix(base, w) {
			return true
		}
	}
	return false
}

// AnswerFindings turns one answer into findings without a position (the
// caller places them): a block at the rule's severity, a warn one level
// lower, "could not verify" at high (low with allowUnverified).
func AnswerFindings(ans Answer, allowUnverified bool) []scanner.Finding {
	a := &Analyzer{opts: Options{AllowUnverified: allowUnverified}}
	d := fileDecl{Declaration: Declaration{Ecosystem: ans.Query.Ecosystem, Name: ans.Query.Name, Spec: ans.Query.Spec}}
	return a.findings(d, ans)
}

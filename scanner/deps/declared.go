package deps

import (
	"context"
	"path"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/scanner"
)

// manifestKinds are the files that declare what a project depends on
// directly (lockfiles list transitive packages too, and registry settings
// declare nothing).
var manifestKinds = map[string]bool{"requirements": true, "pyproject": true, "pipfile": true, "setupcfg": true, "setuppy": true, "packagejson": true}

// Declared lists the dependencies the project's manifests declare directly
// and, per ecosystem ("pypi", "npm"), whether any manifest exists: what
// DEP-006 compares imports with. The devDependencies of a private
// package.json count as its dependencies. Requirements files named for
// development or tests (requirements-dev.txt, test-requirements.txt, requirements/test.txt)
// declare development-only packages. Unreadable or unparsable manifests are
// skipped (the dependency analyzer reports them).
func Declared(ctx context.Context, p *scanner.Project) ([]Declaration, map[string]bool, error) {
	var out []Declaration
	manifests := map[string]bool{}
	for _, f := range p.Files {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		kind := Kind(f)
		if !manifestKinds[kind] {
			continue
		}
		b, err := p.ReadFile(f)
		if err != nil {
			markManifest(manifests, kind, Manifest{})
			continue
		}
		m, _ := Parse(f, b)
		markManifest(manifests, kind, m)
		if m.Name != "" {
			// The repository's own projects (workspace members, sibling
			// packages of a monorepo) are importable without a declaration.
			eco := PyPI
			if kind == "packagejson" {
				eco = NPM
			}
			out = append(out, Declaration{Ecosystem: eco, Name: m.Name, Line: 0})
		}
		dev := kind == "requirements" && devRequirements(f)
		for _, d := range append(m.Deps, m.Unjudged...) {
			// A private package (an application, a workspace root) has no
			// consumers: whether its code may use a devDependency is up to
			// its bundler or deployment, which DEP-006 cannot see.
			d.Dev = (d.Dev || dev) && !m.Private
			out = append(out, d)
		}
	}
	return out, manifests, nil
}

// markManifest records that an ecosystem has a manifest to compare imports
// with. A setup.py counts only when it declares requirements and computes
// none (many read them from elsewhere, or declare nothing at all).
func markManifest(manifests map[string]bool, kind string, m Manifest) {
	switch {
	case kind == "packagejson":
		manifests[string(NPM)] = true
	case kind == "setuppy":
		if len(m.Deps) > 0 && !m.Incomplete {
			manifests[string(PyPI)] = true
		}
	default:
		manifests[string(PyPI)] = true
	}
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

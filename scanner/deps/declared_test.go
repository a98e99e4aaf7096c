package deps

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/scanner"
)

// declaredCollector is an analyzer that only calls Declared from Finish,
// as DEP-006 does.
type declaredCollector struct {
	got       []string
	manifests map[string]bool
}

func (c *declaredCollector) Rules() []scanner.RuleInfo { return nil }
func (c *declaredCollector) Wants(string) bool         { return false }
func (c *declaredCollector) Analyze(context.Context, *scanner.File) ([]scanner.Finding, error) {
	return nil, nil
}
func (c *declaredCollector) Finish(ctx context.Context, p *scanner.Project) ([]scanner.Finding, error) {
	ds, m, err := Declared(ctx, p)
	for _, d := range ds {
		dev := ""
		if d.Dev {
			dev = " dev"
		}
		c.got = append(c.got, string(d.Ecosystem)+" "+d.Name+dev)
	}
	c.manifests = map[string]bool{}
	for _, mf := range m {
		c.manifests[string(mf.Ecosystem)] = c.manifests[string(mf.Ecosystem)] || mf.Compared
	}
	return nil, err
}

func TestDeclaredForImports(t *testing.T) {
	files := map[string]string{
		"app/package.json":      "{\"private\": true, \"devDependencies\": {\"vite\": \"^5\"}}\n",
		"requirements.txt":      "flask\n",
		"requirements-dev.txt":  "pytest\n",
		"pyproject.toml":        "[project]\ndependencies = [\"httpx\"]\n[dependency-groups]\nlint = [\"ruff\"]\n",
		"web/package.json":      "{\"name\": \"@acme/web\", \"dependencies\": {\"express\": \"^4\"}, \"devDependencies\": {\"jest\": \"^29\"}}\n",
		"web/package-lock.json": "{\"packages\": {\"node_modules/transitive\": {\"version\": \"1.0.0\"}}}\n",
	}
	root := writeTree(t, files)
	c := &declaredCollector{}
	if _, err := scanner.Scan(context.Background(), scanner.Options{Root: root, Analyzers: []scanner.Analyzer{collectorWithRule{c}}}); err != nil {
		t.Fatal(err)
	}
	want := []string{"npm vite", "pypi httpx", "pypi ruff dev", "pypi pytest dev", "pypi flask", "npm @acme/web", "npm express", "npm jest dev"}
	if diff := cmp.Diff(want, c.got); diff != "" {
		t.Errorf("declared (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]bool{"pypi": true, "npm": true}, c.manifests); diff != "" {
		t.Errorf("manifests (-want +got):\n%s", diff)
	}
}

// collectorWithRule gives the collector a rule so the engine runs it.
type collectorWithRule struct{ *declaredCollector }

func (c collectorWithRule) Rules() []scanner.RuleInfo { return Rules[:1] }

// A setup.py is a manifest to compare imports with only when its
// requirements are literal: one that computes them declares what is not
// known.
func TestDeclaredSetupPy(t *testing.T) {
	for _, tc := range []struct {
		name, setup string
		want        []string
		manifest    bool
	}{
		{"literal", "setup(install_requires=['requests'], tests_require=['pytest'])\n", []string{"pypi requests", "pypi pytest dev"}, true},
		{"computed", "setup(install_requires=read('requirements.txt'), extras_require={'x': ['lxml']})\n", []string{"pypi lxml"}, false},
		{"concatenated", "setup(install_requires=['requests'] + EXTRA)\n", nil, false},
		{"no requirements", "from setuptools import setup\nsetup()\n", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			if err := os.WriteFile(filepath.Join(root, "setup.py"), []byte(tc.setup), 0o644); err != nil {
				t.Fatal(err)
			}
			c := &declaredCollector{}
			if _, err := scanner.Scan(context.Background(), scanner.Options{Root: root, Analyzers: []scanner.Analyzer{collectorWithRule{c}}}); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, c.got); diff != "" {
				t.Errorf("declared (-want +got):\n%s", diff)
			}
			if c.manifests["pypi"] != tc.manifest {
				t.Errorf("pypi manifest = %v, want %v", c.manifests["pypi"], tc.manifest)
			}
		})
	}
}

// Dependencies taken from git, a URL or a path are declared (importing
// them is no undeclared import) but never judged by name.
func TestDeclaredUnjudged(t *testing.T) {
	files := map[string]string{
		"package.json":   `{"dependencies": {"my-lib": "github:acme/my-lib", "local-ui": "file:./ui", "ws-lib": "workspace:*"}, "devDependencies": {"tool": "git+https://example.org/tool.git"}}`,
		"pyproject.toml": "[tool.poetry.dependencies]\nshared = {path = \"../shared\"}\nforked = {git = \"https://example.org/forked.git\"}\n",
	}
	root := writeTree(t, files)
	c := &declaredCollector{}
	if _, err := scanner.Scan(context.Background(), scanner.Options{Root: root, Analyzers: []scanner.Analyzer{collectorWithRule{c}}}); err != nil {
		t.Fatal(err)
	}
	want := []string{"npm local-ui", "npm my-lib", "npm ws-lib", "npm tool dev", "pypi forked", "pypi shared"}
	if diff := cmp.Diff(want, c.got); diff != "" {
		t.Errorf("declared (-want +got):\n%s", diff)
	}
	m, err := Parse("package.json", []byte(files["package.json"]))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Deps) != 0 {
		t.Errorf("git/path/workspace dependencies judged by name: %+v", m.Deps)
	}
}

// manifestCollector records the manifests Declared reports.
type manifestCollector struct {
	declaredCollector
	ms   []ManifestFile
	deps []DeclaredDep
}

func (c *manifestCollector) Finish(ctx context.Context, p *scanner.Project) ([]scanner.Finding, error) {
	ds, ms, err := Declared(ctx, p)
	c.ms, c.deps = ms, ds
	return nil, err
}

func (c *manifestCollector) Rules() []scanner.RuleInfo { return Rules[:1] }

// Declared tells, for each manifest, the project directory it declares for
// and whether it makes that directory a project root (DEP-006 compares a
// file with its own project's manifests); each declaration names its
// manifest, and a manifest's own name is marked as such.
func TestDeclaredManifestsAndProjects(t *testing.T) {
	files := map[string]string{
		"package.json":                `{"private": true, "workspaces": ["packages/*"], "devDependencies": {"vitest": "^1"}}`,
		"packages/a/package.json":     `{"name": "@x/a", "dependencies": {"@x/b": "workspace:*"}}`,
		"packages/a/esm/package.json": `{"type": "module"}`,
		"pyproject.toml":              "[tool.ruff]\nline-length = 100\n",
		"svc/pyproject.toml":          "[project]\nname = \"svc\"\ndependencies = [\"httpx\"]\n",
		"svc/requirements/base.txt":   "redis\n",
		"setup.cfg":                   "[tool:pytest]\naddopts = -q\n",
		"lib/setup.cfg":               "[metadata]\nname = lib\n",
		"old/setup.py":                "setup(install_requires=read('reqs.txt'))\n",
		"shim/setup.py":               "from setuptools import setup\nsetup()\n",
	}
	root := writeTree(t, files)
	c := &manifestCollector{}
	if _, err := scanner.Scan(context.Background(), scanner.Options{Root: root, Analyzers: []scanner.Analyzer{c}}); err != nil {
		t.Fatal(err)
	}
	want := []ManifestFile{
		{Path: "lib/setup.cfg", Ecosystem: PyPI, Dir: "lib", Project: true, Compared: true},
		{Path: "old/setup.py", Ecosystem: PyPI, Dir: "old", Project: true, Compared: false},
		{Path: "package.json", Ecosystem: NPM, Dir: "", Project: true, Compared: true},
		{Path: "packages/a/esm/package.json", Ecosystem: NPM, Dir: "packages/a/esm", Project: false, Compared: true},
		{Path: "packages/a/package.json", Ecosystem: NPM, Dir: "packages/a", Project: true, Compared: true},
		{Path: "pyproject.toml", Ecosystem: PyPI, Dir: "", Project: false, Compared: true},
		{Path: "setup.cfg", Ecosystem: PyPI, Dir: "", Project: false, Compared: true},
		{Path: "shim/setup.py", Ecosystem: PyPI, Dir: "shim", Project: false, Compared: false},
		{Path: "svc/pyproject.toml", Ecosystem: PyPI, Dir: "svc", Project: true, Compared: true},
		{Path: "svc/requirements/base.txt", Ecosystem: PyPI, Dir: "svc", Project: true, Compared: true},
	}
	if diff := cmp.Diff(want, c.ms); diff != "" {
		t.Errorf("manifests (-want +got):\n%s", diff)
	}
	var got []string
	for _, d := range c.deps {
		s := d.File + " " + d.Dir + " " + d.Name
		if d.Self {
			s += " self"
		}
		got = append(got, s)
	}
	wantDeps := []string{
		"package.json  vitest", "packages/a/package.json packages/a @x/a self", "packages/a/package.json packages/a @x/b",
		"svc/pyproject.toml svc svc self", "svc/pyproject.toml svc httpx", "svc/requirements/base.txt svc redis",
	}
	if diff := cmp.Diff(wantDeps, got); diff != "" {
		t.Errorf("declarations (-want +got):\n%s", diff)
	}
}

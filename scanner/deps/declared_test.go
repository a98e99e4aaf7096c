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
	root := t.TempDir()
	files := map[string]string{
		"app/package.json":      "{\"private\": true, \"devDependencies\": {\"vite\": \"^5\"}}\n",
		"requirements.txt":      "flask\n",
		"requirements-dev.txt":  "pytest\n",
		"pyproject.toml":        "[project]\ndependencies = [\"httpx\"]\n[dependency-groups]\nlint = [\"ruff\"]\n",
		"web/package.json":      "{\"name\": \"@acme/web\", \"dependencies\": {\"express\": \"^4\"}, \"devDependencies\": {\"jest\": \"^29\"}}\n",
		"web/package-lock.json": "{\"packages\": {\"node_modules/transitive\": {\"version\": \"1.0.0\"}}}\n",
	}
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
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
	root := t.TempDir()
	files := map[string]string{
		"package.json":   `{"dependencies": {"my-lib": "github:acme/my-lib", "local-ui": "file:./ui", "ws-lib": "workspace:*"}, "devDependencies": {"tool": "git+https://example.org/tool.git"}}`,
		"pyproject.toml": "[tool.poetry.dependencies]\nshared = {path = \"../shared\"}\nforked = {git = \"https://example.org/forked.git\"}\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
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

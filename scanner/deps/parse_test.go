package deps

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// parseCases are realistic files of every format with the declarations
// (name, spec, line) and bypass lines the parser must find.
var parseCases = []struct {
	name     string
	path     string
	content  string
	deps     []Declaration
	bypasses []int
	includes []string
}{
	{
		name: "setup.py literal requirement lists",
		path: "setup.py",
		content: `from setuptools import setup

# install_requires=computed_elsewhere()
setup(
    name="legacy",
    install_requires=[
        "requests>=2.0",  # HTTP
        'click',
        "pkg @ https://example.org/pkg.tar.gz",
    ],
    extras_require={"test": ["pytest"], 'yaml': ("PyYAML",)},
    tests_require=["mock"],
    setup_requires="setuptools_scm",
)
`,
		deps: []Declaration{
			{Ecosystem: PyPI, Name: "requests", Spec: ">=2.0", Line: 7},
			{Ecosystem: PyPI, Name: "click", Line: 8},
			{Ecosystem: PyPI, Name: "pytest", Line: 11},
			{Ecosystem: PyPI, Name: "PyYAML", Line: 11},
			{Ecosystem: PyPI, Name: "mock", Line: 12, Dev: true},
			{Ecosystem: PyPI, Name: "setuptools_scm", Line: 13, Dev: true},
		},
		bypasses: []int{9},
	},
	{
		// a # inside a string earlier on the line is no comment
		name: "setup.py on one line with a URL fragment",
		path: "setup.py",
		content: "from setuptools import setup\n" +
			`setup(name="x", url="https://github.com/acme/x#readme", install_requires=["requests"])  # install_requires=["ignored"]` + "\n",
		deps: []Declaration{{Ecosystem: PyPI, Name: "requests", Line: 2}},
	},
	{
		name: "pyproject development lists of PDM, Hatch and uv, and build requirements",
		path: "pyproject.toml",
		content: `[build-system]
requires = ["hatchling>=1.20"]

[project]
name = "demo"
dependencies = ["httpx"]

[tool.pdm.dev-dependencies]
test = ["pytest>=8"]

[tool.hatch.envs.default]
dependencies = ["coverage[toml]"]
extra-dependencies = ["respx"]

[tool.uv]
dev-dependencies = ["freezegun"]
`,
		deps: []Declaration{
			{Ecosystem: PyPI, Name: "hatchling", Spec: ">=1.20", Line: 2, Dev: true},
			{Ecosystem: PyPI, Name: "httpx", Line: 6},
			{Ecosystem: PyPI, Name: "pytest", Spec: ">=8", Line: 9, Dev: true},
			{Ecosystem: PyPI, Name: "coverage", Line: 12, Dev: true},
			{Ecosystem: PyPI, Name: "respx", Line: 13, Dev: true},
			{Ecosystem: PyPI, Name: "freezegun", Line: 16, Dev: true},
		},
	},
	{
		name: "requirements with options, markers, extras, hashes, URLs and continuations",
		path: "requirements-dev.txt",
		content: `# comment
-r base.txt
--constraint constraints.txt
requests[socks,security] >= 2.31 ; python_version >= "3.8"  # trailing comment
Django==4.2.* \
    --hash=sha256:aaaa \
    --hash=sha256:bbbb
numpy
-e git+https://github.com/example/lib.git#egg=lib
-e .
--extra-index-url=https://pkgs.example.org/simple
-ihttps://mirror.example.org/simple
lib2 @ https://example.org/lib2-1.0.tar.gz
https://example.org/lib3-1.0-py3-none-any.whl
../outside/lib4
./inside/lib5
pytest (>=7,<9)
--find-links ./wheels
--trusted-host example.org
`,
		deps: []Declaration{
			{PyPI, "requests", ">=2.31", 4, false, ""},
			{PyPI, "Django", "==4.2.*", 5, false, ""},
			{PyPI, "numpy", "", 8, false, ""},
			{PyPI, "pytest", ">=7,<9", 17, false, ""},
		},
		bypasses: []int{9, 11, 12, 13, 14, 15, 18},
		includes: []string{"base.txt", "constraints.txt"},
	},
	{
		name: "pyproject: PEP 621, optional dependencies, PEP 735 groups, poetry, uv",
		path: "pyproject.toml",
		content: `[project]
name = "app"
dependencies = [
    "httpx>=0.27",
    'pydantic[email] (>=2,<3)',
    "lib @ git+https://github.com/example/lib",
]

[project.optional-dependencies]
cli = ["click>=8"]
docs = [
    "mkdocs",
]

[dependency-groups]
test = ["pytest", {include-group = "lint"}]
lint = ["ruff==0.4.0"]

[tool.poetry.dependencies]
python = "^3.11"
fastapi = "^0.110"
rich = { version = "~13.7", extras = ["jupyter"] }
mylib = { path = "../mylib" }
local = { path = "./packages/local" }

[tool.poetry.group.dev.dependencies]
black = "24.3.0"

[[tool.poetry.source]]
name = "corp"
url = "https://pkgs.example.org/simple"

[tool.uv.sources]
other = { git = "https://github.com/example/other" }
`,
		deps: []Declaration{
			{PyPI, "httpx", ">=0.27", 4, false, ""},
			{PyPI, "pydantic", ">=2,<3", 5, false, ""},
			{PyPI, "click", ">=8", 10, false, ""},
			{PyPI, "mkdocs", "", 12, false, ""},
			{PyPI, "ruff", "==0.4.0", 17, true, ""},
			{PyPI, "pytest", "", 16, true, ""},
			{PyPI, "fastapi", ">=0.110,<0.111.0", 21, false, ""},
			{PyPI, "rich", ">=13.7,<13.8.0", 22, false, ""},
			{PyPI, "black", "==24.3.0", 27, true, ""},
		},
		bypasses: []int{6, 23, 31, 34},
	},
	{
		name: "Pipfile with sources, categories and VCS entries",
		path: "Pipfile",
		content: `[[source]]
url = "https://pypi.org/simple"
verify_ssl = true
name = "pypi"

[packages]
requests = "*"
flask = {version = ">= 3.0"}
lib = {git = "https://github.com/example/lib.git", ref = "main"}

[dev-packages]
pytest = "==8.0.0"

[requires]
python_version = "3.11"
`,
		deps: []Declaration{
			{PyPI, "flask", ">=3.0", 8, false, ""},
			{PyPI, "requests", "", 7, false, ""},
			{PyPI, "pytest", "==8.0.0", 12, true, ""},
		},
		bypasses: []int{2, 9},
	},
	{
		name: "setup.cfg install_requires, extras, inline and continued",
		path: "setup.cfg",
		content: `[metadata]
name = app

[options]
packages = find:
install_requires =
    requests>=2
    importlib-metadata; python_version<"3.8"
    # a comment
setup_requires = setuptools_scm
[options.extras_require]
yaml = pyyaml>=6
test =
    pytest
`,
		deps: []Declaration{
			{PyPI, "requests", ">=2", 7, false, ""},
			{PyPI, "importlib-metadata", "", 8, false, ""},
			{PyPI, "setuptools_scm", "", 10, false, ""},
			{PyPI, "pyyaml", ">=6", 12, false, ""},
			{PyPI, "pytest", "", 14, false, ""},
		},
	},
	{
		name: "poetry.lock with registry, legacy source and git",
		path: "poetry.lock",
		content: `# This file is automatically @generated by Poetry
[[package]]
name = "certifi"
version = "2024.2.2"
description = "x"
optional = false

[[package]]
name = "corp-lib"
version = "1.0.0"

[package.source]
type = "legacy"
url = "https://pkgs.example.org/simple"
reference = "corp"

[[package]]
name = "gitlib"
version = "0.1.0"

[package.source]
type = "git"
url = "https://github.com/example/gitlib"
`,
		deps: []Declaration{
			{PyPI, "certifi", "==2024.2.2", 3, false, ""},
			{PyPI, "corp-lib", "==1.0.0", 9, false, "https://pkgs.example.org/simple"},
		},
		bypasses: []int{9, 18},
	},
	{
		name: "uv.lock with the project itself, registry, git and url sources",
		path: "uv.lock",
		content: `version = 1
requires-python = ">=3.11"

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }

[[package]]
name = "anyio"
version = "4.3.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "gitlib"
version = "0.1.0"
source = { git = "https://github.com/example/gitlib?rev=main#abc" }

[[package]]
name = "corp"
version = "2.0.0"
source = { registry = "https://pkgs.example.org/simple" }
`,
		deps: []Declaration{
			{PyPI, "anyio", "==4.3.0", 10, false, "https://pypi.org/simple"},
			{PyPI, "corp", "==2.0.0", 20, false, "https://pkgs.example.org/simple"},
		},
		bypasses: []int{10, 15, 20},
	},
	{
		name: "package.json with every dependency kind, aliases, git, files and workspaces",
		path: "package.json",
		content: `{
  "name": "app",
  "workspaces": ["packages/*"],
  "dependencies": {
    "express": "^4.19.2",
    "my-lodash": "npm:lodash@4.17.21",
    "@types/node": "20.11.0",
    "lib": "github:example/lib#v1",
    "shorthand": "example/short",
    "sibling": "workspace:*",
    "inside": "file:./vendor/inside",
    "outside": "file:../outside",
    "tarball": "https://example.org/t.tgz"
  },
  "devDependencies": {"typescript": "~5.4.0", "vitest": "latest"},
  "peerDependencies": {
    "react": ">=17 <19"
  },
  "optionalDependencies": {
    "fsevents": "2.3.3"
  },
  "overrides": {
    "semver": "7.6.0",
    "foo": {"bar": "1.0.0"}
  }
}
`,
		deps: []Declaration{
			{NPM, "@types/node", "20.11.0", 7, false, ""},
			{NPM, "express", "^4.19.2", 5, false, ""},
			{NPM, "lodash", "4.17.21", 6, false, ""},
			{NPM, "typescript", "~5.4.0", 15, true, ""},
			{NPM, "vitest", "latest", 15, true, ""},
			{NPM, "fsevents", "2.3.3", 20, false, ""},
			{NPM, "react", ">=17 <19", 17, false, ""},
			{NPM, "semver", "7.6.0", 23, false, ""},
		},
		bypasses: []int{8, 9, 12, 13},
	},
	{
		name: "package-lock.json v3 with nested, scoped, aliased, linked and git entries",
		path: "package-lock.json",
		content: `{
  "name": "app",
  "lockfileVersion": 3,
  "packages": {
    "": {"name": "app", "dependencies": {"express": "^4"}},
    "node_modules/express": {
      "version": "4.19.2",
      "resolved": "https://registry.npmjs.org/express/-/express-4.19.2.tgz"
    },
    "node_modules/express/node_modules/debug": {"version": "2.6.9"},
    "node_modules/@types/node": {"version": "20.11.0"},
    "node_modules/my-lodash": {"name": "lodash", "version": "4.17.21"},
    "node_modules/sibling": {"resolved": "packages/sibling", "link": true},
    "packages/sibling": {"version": "1.0.0"},
    "node_modules/gitlib": {"version": "1.0.0", "resolved": "git+ssh://git@github.com/example/gitlib.git#abc"},
    "node_modules/corp": {"version": "1.0.0", "resolved": "https://npm.example.org/corp/-/corp-1.0.0.tgz"}
  }
}
`,
		deps: []Declaration{
			{NPM, "@types/node", "20.11.0", 11, false, ""},
			{NPM, "corp", "1.0.0", 16, false, "https://npm.example.org/corp/-/corp-1.0.0.tgz"},
			{NPM, "express", "4.19.2", 6, false, "https://registry.npmjs.org/express/-/express-4.19.2.tgz"},
			{NPM, "debug", "2.6.9", 10, false, ""},
			{NPM, "lodash", "4.17.21", 12, false, ""},
		},
		bypasses: []int{6, 15, 16},
	},
	{
		name: "yarn.lock classic",
		path: "yarn.lock",
		content: `# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.22.13":
  version "7.23.5"
  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.23.5.tgz#abc"
  integrity sha512-x

lodash@^4.17.21:
  version "4.17.21"
  resolved "https://npm.example.org/lodash/-/lodash-4.17.21.tgz"

"gitlib@github:example/gitlib":
  version "1.0.0"
  resolved "git+https://github.com/example/gitlib.git#abc"
`,
		deps: []Declaration{
			{NPM, "@babel/code-frame", "7.23.5", 5, false, "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.23.5.tgz#abc"},
			{NPM, "lodash", "4.17.21", 10, false, "https://npm.example.org/lodash/-/lodash-4.17.21.tgz"},
		},
		bypasses: []int{5, 10, 14},
	},
	{
		name: "yarn.lock berry with workspace, alias and patch",
		path: "yarn.lock",
		content: `# This file is generated by running "yarn install" inside your project.
__metadata:
  version: 8
  cacheKey: 10c0

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  languageName: unknown

"chalk@npm:^5.3.0":
  version: 5.3.0
  resolution: "chalk@npm:5.3.0"
  checksum: 10c0/abc

"my-ms@npm:ms@^2.1.0":
  version: 2.1.3
  resolution: "ms@npm:2.1.3"

"gitlib@https://github.com/example/gitlib.git#commit=abc":
  version: 1.0.0
  resolution: "gitlib@https://github.com/example/gitlib.git#commit=abc"
`,
		deps: []Declaration{
			{NPM, "chalk", "5.3.0", 11, false, ""},
			{NPM, "ms", "2.1.3", 16, false, ""},
		},
		bypasses: []int{20},
	},
	{
		name: "pnpm-lock.yaml v6 with peer suffixes and a tarball",
		path: "pnpm-lock.yaml",
		content: `lockfileVersion: '6.0'

dependencies:
  react-dom:
    specifier: ^18.2.0
    version: 18.2.0(react@18.2.0)

packages:

  /react-dom@18.2.0(react@18.2.0):
    resolution: {integrity: sha512-x}
    peerDependencies:
      react: ^18.2.0

  /@types/node@20.11.0:
    resolution: {integrity: sha512-y}

  /corp@1.0.0:
    resolution: {tarball: https://npm.example.org/corp/-/corp-1.0.0.tgz}
`,
		deps: []Declaration{
			{NPM, "react-dom", "18.2.0", 10, false, ""},
			{NPM, "@types/node", "20.11.0", 15, false, ""},
			{NPM, "corp", "1.0.0", 18, false, "https://npm.example.org/corp/-/corp-1.0.0.tgz"},
		},
		bypasses: []int{18},
	},
	{
		name: "pnpm-lock.yaml v9 with a git resolution",
		path: "pnpm-lock.yaml",
		content: `lockfileVersion: '9.0'
packages:
  '@scope/pkg@1.2.3':
    resolution: {integrity: sha512-x}
  gitlib@https://codeload.github.com/example/gitlib/tar.gz/abc:
    resolution: {tarball: https://codeload.github.com/example/gitlib/tar.gz/abc}
    version: 1.0.0
  other@git+https://github.com/example/other.git#abc:
    resolution: {type: git, repo: https://github.com/example/other.git, commit: abc}
`,
		deps: []Declaration{
			{NPM, "@scope/pkg", "1.2.3", 3, false, ""},
			{NPM, "gitlib", "1.0.0", 5, false, "https://codeload.github.com/example/gitlib/tar.gz/abc"},
		},
		bypasses: []int{5, 8},
	},
	{
		name:     ".npmrc registries",
		path:     "app/.npmrc",
		content:  "save-exact=true\nregistry=https://registry.npmjs.org/\n@corp:registry = https://npm.example.org/\n//npm.example.org/:_authToken=${NPM_TOKEN}\n",
		bypasses: []int{2, 3},
	},
	{
		name:     ".yarnrc.yml registries, top level and per scope",
		path:     ".yarnrc.yml",
		content:  "nodeLinker: node-modules\nnpmRegistryServer: \"https://npm.example.org\"\nnpmScopes:\n  corp:\n    npmRegistryServer: https://corp.example.org\n",
		bypasses: []int{2, 5},
	},
	{
		name:     "pip.conf with continued extra-index-url",
		path:     "pip.conf",
		content:  "[global]\ntimeout = 60\nindex-url = https://mirror.example.org/simple\nextra-index-url =\n    https://a.example.org/simple\n    https://b.example.org/simple\n",
		bypasses: []int{3, 5, 6},
	},
	{
		name:     "uv.toml indexes",
		path:     "uv.toml",
		content:  "[[index]]\nname = \"corp\"\nurl = \"https://pkgs.example.org/simple\"\n",
		bypasses: []int{3},
	},
}

func TestParseFormats(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			if Kind(tc.path) == "" {
				t.Fatalf("Kind(%q) is empty", tc.path)
			}
			m, err := Parse(tc.path, []byte(tc.content))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			sortDecls := func(d []Declaration) []Declaration {
				out := append([]Declaration(nil), d...)
				for i := range out {
					for j := i + 1; j < len(out); j++ {
						if out[j].Line < out[i].Line || out[j].Line == out[i].Line && out[j].Name < out[i].Name {
							out[i], out[j] = out[j], out[i]
						}
					}
				}
				return out
			}
			if diff := cmp.Diff(sortDecls(tc.deps), sortDecls(m.Deps)); diff != "" {
				t.Errorf("declarations (-want +got):\n%s", diff)
			}
			var lines []int
			for _, b := range m.Bypasses {
				lines = append(lines, b.Line)
			}
			slices.Sort(lines)
			if diff := cmp.Diff(tc.bypasses, lines); diff != "" {
				t.Errorf("bypass lines (-want +got):\n%s\n%+v", diff, m.Bypasses)
			}
			if diff := cmp.Diff(tc.includes, m.Includes); diff != "" {
				t.Errorf("includes (-want +got):\n%s", diff)
			}
			for _, b := range m.Bypasses {
				if strings.Contains(b.What, "pw@") {
					t.Errorf("credentials in %q", b.What)
				}
			}
		})
	}
}

func TestParseErrorsAreClear(t *testing.T) {
	for path, content := range map[string]string{
		"pyproject.toml":    "[project\nname=",
		"package.json":      "{\"dependencies\": ",
		"package-lock.json": "[1,2",
		"poetry.lock":       "[[package]]\nname = ",
		"pnpm-lock.yaml":    "packages: [a, {",
		"Pipfile":           "[packages\n",
	} {
		_, err := Parse(path, []byte(content))
		if err == nil || !strings.Contains(err.Error(), strings.TrimSuffix(path, ".json")) && !strings.Contains(err.Error(), "Pipfile") {
			t.Errorf("Parse(%s) error = %v, want one naming the file kind", path, err)
		}
	}
}

func TestPoetrySpec(t *testing.T) {
	for in, want := range map[string]string{
		"^1.2.3": ">=1.2.3,<2.0.0", "^0.2.3": ">=0.2.3,<0.3.0", "^0.0.3": ">=0.0.3,<0.0.4", "^1": ">=1,<2.0.0",
		"~1.2.3": ">=1.2.3,<1.3.0", "~1": ">=1,<2.0.0", "1.2.3": "==1.2.3", "*": "", ">=1,<2": ">=1,<2", "~=1.4": "~=1.4",
	} {
		if got := PoetrySpec(in); got != want {
			t.Errorf("PoetrySpec(%q) = %q, want %q", in, got, want)
		}
	}
}

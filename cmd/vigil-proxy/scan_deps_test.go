package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/npm/npmtest"
	"github.com/vigil-proxy/vigil-proxy/pypi/pypitest"
	"github.com/vigil-proxy/vigil-proxy/scanner"
)

// depUpstreams are fake PyPI and npm registries holding: popular packages
// with old releases and repositories (fine), young packages (DEP-002),
// packages without a repository (DEP-005), quarantined and security-holding
// packages (MAL-001), obscure packages (DEP-004) and packages whose
// documents fail (DEP-000).
type depUpstreams struct {
	pypi *pypitest.Server
	npm  *npmtest.Server
}

var (
	finePyPI = []string{"requests", "flask", "numpy", "django", "fastapi", "pydantic", "httpx", "urllib3", "click", "jinja2", "pyyaml", "rich"}
	fineNPM  = []string{"express", "lodash", "react", "chalk", "axios", "commander", "debug", "ms", "vue", "typescript", "semver", "uuid"}
)

func newDepUpstreams(t *testing.T) *depUpstreams {
	t.Helper()
	old := time.Now().Add(-400 * day)
	young := time.Now().Add(-3 * day)
	repo := map[string]string{"Source": "https://github.com/example/x"}
	var projects []pypitest.Project
	for _, n := range finePyPI {
		dists := []pypitest.Dist{{Version: "1.0.0", Uploaded: old}, {Version: "2.30.0", Uploaded: old}, {Version: "2.31.0", Uploaded: old}, {Version: "2.32.3", Uploaded: old}}
		if n == "requests" {
			dists = append(dists, pypitest.Dist{Version: "2.33.0", Uploaded: young}, pypitest.Dist{Version: "3.0.0b1", Uploaded: old})
		}
		projects = append(projects, pypitest.Project{Name: n, ProjectURLs: repo, Dists: dists})
	}
	for _, n := range []string{"fresh-alpha", "fresh-beta", "fresh-gamma", "fresh-delta"} {
		projects = append(projects, pypitest.Project{Name: n, ProjectURLs: repo, Dists: []pypitest.Dist{{Version: "0.1.0", Uploaded: young}}})
	}
	for _, n := range []string{"norepo-alpha", "norepo-beta", "norepo-gamma", "norepo-delta"} {
		projects = append(projects, pypitest.Project{Name: n, Dists: []pypitest.Dist{{Version: "1.0.0", Uploaded: old}}})
	}
	for _, n := range []string{"evil-alpha", "evil-beta", "evil-gamma", "evil-delta"} {
		projects = append(projects, pypitest.Project{Name: n, Status: "quarantined", StatusReason: "malware", Dists: []pypitest.Dist{{Version: "1.0.0", Uploaded: old}}})
	}
	for _, n := range []string{"obscure-alpha", "obscure-beta", "obscure-gamma", "obscure-delta", "flaky-alpha", "flaky-beta", "flaky-gamma", "flaky-delta"} {
		projects = append(projects, pypitest.Project{Name: n, ProjectURLs: repo, Dists: []pypitest.Dist{{Version: "1.0.0", Uploaded: old}}})
	}
	up := &depUpstreams{pypi: pypitest.NewServer(t, projects...)}
	for _, n := range []string{"flaky-alpha", "flaky-beta", "flaky-gamma", "flaky-delta"} {
		up.pypi.SetFault("/simple/"+n+"/", pypitest.Fault{Status: http.StatusServiceUnavailable})
		up.pypi.SetFault("/pypi/"+n+"/json", pypitest.Fault{Status: http.StatusServiceUnavailable})
	}
	npmRepo := map[string]string{"type": "git", "url": "git+https://github.com/example/x.git"}
	var pkgs []npmtest.Package
	for _, n := range fineNPM {
		vs := []npmtest.Version{{Version: "1.0.0", Published: old}, {Version: "4.1.0", Published: old}, {Version: "4.1.2", Published: old}, {Version: "5.3.0", Published: old}}
		if n == "chalk" {
			vs = append(vs, npmtest.Version{Version: "5.4.0", Published: young}, npmtest.Version{Version: "6.0.0-beta.1", Published: old})
		}
		pkgs = append(pkgs, npmtest.Package{Name: n, Repository: npmRepo, Created: old, Versions: vs})
	}
	for _, n := range []string{"fresh-npm-alpha", "fresh-npm-beta", "fresh-npm-gamma", "fresh-npm-delta"} {
		pkgs = append(pkgs, npmtest.Package{Name: n, Repository: npmRepo, Created: young, Versions: []npmtest.Version{{Version: "0.1.0", Published: young}}})
	}
	for _, n := range []string{"norepo-npm-alpha", "norepo-npm-beta", "norepo-npm-gamma", "norepo-npm-delta"} {
		pkgs = append(pkgs, npmtest.Package{Name: n, Created: old, Versions: []npmtest.Version{{Version: "1.0.0", Published: old}}})
	}
	for _, n := range []string{"evil-npm-alpha", "evil-npm-beta", "evil-npm-gamma", "evil-npm-delta"} {
		pkgs = append(pkgs, npmtest.Package{Name: n, SecurityHolding: true})
	}
	for _, n := range []string{"obscure-npm-alpha", "obscure-npm-beta", "obscure-npm-gamma", "obscure-npm-delta", "flaky-npm-alpha", "flaky-npm-beta", "flaky-npm-gamma", "flaky-npm-delta"} {
		pkgs = append(pkgs, npmtest.Package{Name: n, Repository: npmRepo, Created: old, Versions: []npmtest.Version{{Version: "1.0.0", Published: old}}})
	}
	up.npm = npmtest.NewServer(t, pkgs...)
	for _, n := range []string{"flaky-npm-alpha", "flaky-npm-beta", "flaky-npm-gamma", "flaky-npm-delta"} {
		up.npm.SetFault("/"+n, npmtest.Fault{Status: http.StatusServiceUnavailable})
	}
	return up
}

func (up *depUpstreams) env(t *testing.T) map[string]string {
	return map[string]string{
		"VIGIL_DATA_DIR":          t.TempDir(),
		"VIGIL_SCAN_CACHE_DIR":    t.TempDir(),
		"VIGIL_PYPI_UPSTREAM":     up.pypi.URL,
		"VIGIL_PYPI_FILE_HOSTS":   up.pypi.FilesHost(),
		"VIGIL_NPM_UPSTREAM":      up.npm.URL,
		"VIGIL_NPM_TARBALL_HOSTS": up.npm.TarballHost(),
		"VIGIL_POPULARITY_ONLINE": "false",
		"VIGIL_SCAN_PROXY_HOSTS":  "vigil.internal:8080",
		"VIGIL_CACHE_GRACE":       "0s",
	}
}

// depFixture is one file of a rule's fixture table: a positive names the
// line the finding must point at; a negative must raise no finding of the
// rule in its file.
type depFixture struct {
	rule    string
	pos     bool
	file    string // base name (decides the parser)
	content string
	line    int
}

func depFixtures() []depFixture {
	pos := func(rule, file, content string, line int) depFixture {
		return depFixture{rule: rule, pos: true, file: file, content: content, line: line}
	}
	neg := func(rule, file, content string) depFixture {
		return depFixture{rule: rule, file: file, content: content}
	}
	var fx []depFixture
	// Files declaring only fine packages at existing versions, in every
	// format: negatives for every judged rule.
	fine := []depFixture{
		neg("", "requirements.txt", "# app\nrequests==2.31.0\nflask>=2.0,<3 ; python_version >= '3.8'\nnumpy[extra]~=1.0\n"),
		neg("", "pyproject.toml", "[project]\nname = \"app\"\ndependencies = [\n  \"requests>=2.31\",\n  \"httpx (>=0.27)\",\n]\n[project.optional-dependencies]\ndev = [\"click==2.32.3\"]\n[dependency-groups]\ntest = [\"rich\", {include-group = \"dev\"}]\n"),
		neg("", "Pipfile", "[packages]\nrequests = \"==2.31.0\"\nflask = \"*\"\n[dev-packages]\nrich = {version = \">=2.30\"}\n"),
		neg("", "setup.cfg", "[metadata]\nname = app\n[options]\ninstall_requires =\n    requests>=2.30\n    click\n[options.extras_require]\nyaml = pyyaml==2.31.0\n"),
		neg("", "package.json", "{\n  \"name\": \"app\",\n  \"dependencies\": {\n    \"express\": \"^4.1.0\",\n    \"lodash\": \"4.1.2\"\n  },\n  \"devDependencies\": {\"typescript\": \"~5.3.0\", \"my-chalk\": \"npm:chalk@^4\"}\n}\n"),
		neg("", "package-lock.json", "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {\"name\": \"app\"},\n    \"node_modules/express\": {\"version\": \"4.1.2\", \"resolved\": \"https://registry.npmjs.org/express/-/express-4.1.2.tgz\"},\n    \"node_modules/debug\": {\"version\": \"5.3.0\"}\n  }\n}\n"),
		neg("", "yarn.lock", "# yarn lockfile v1\n\nms@^4.1.0:\n  version \"4.1.2\"\n  resolved \"https://registry.yarnpkg.com/ms/-/ms-4.1.2.tgz\"\n\n\"uuid@^5.0.0\", uuid@^5.3.0:\n  version \"5.3.0\"\n"),
		neg("", "pnpm-lock.yaml", "lockfileVersion: '9.0'\npackages:\n  semver@5.3.0:\n    resolution: {integrity: sha512-x}\n  vue@4.1.2:\n    resolution: {integrity: sha512-y}\n"),
		neg("", "poetry.lock", "[[package]]\nname = \"requests\"\nversion = \"2.31.0\"\n\n[[package]]\nname = \"jinja2\"\nversion = \"2.32.3\"\n"),
		neg("", "uv.lock", "version = 1\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\nsource = { editable = \".\" }\n\n[[package]]\nname = \"urllib3\"\nversion = \"2.31.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n"),
	}
	for _, rule := range []string{"DEP-000", "DEP-001", "DEP-002", "DEP-003", "DEP-004", "DEP-005", "DEP-007", "MAL-001", "DEP-008"} {
		for _, f := range fine {
			f.rule = rule
			fx = append(fx, f)
		}
	}
	fx = append(fx,
		// DEP-001: names that do not exist, in every format.
		pos("DEP-001", "requirements.txt", "requests==2.31.0\nghost-pkg-alpha==1.0\n", 2),
		pos("DEP-001", "pyproject.toml", "[project]\nname = \"x\"\ndependencies = [\n  \"requests\",\n  \"ghost-pkg-beta>=1\",\n]\n", 5),
		pos("DEP-001", "Pipfile", "[packages]\nghost-pkg-gamma = \"*\"\n", 2),
		pos("DEP-001", "setup.cfg", "[options]\ninstall_requires =\n    click\n    ghost-pkg-delta\n", 4),
		pos("DEP-001", "package.json", "{\n  \"dependencies\": {\n    \"express\": \"^4.1.0\",\n    \"ghost-npm-alpha\": \"^1.0.0\"\n  }\n}\n", 4),
		pos("DEP-001", "package-lock.json", "{\n  \"lockfileVersion\": 2,\n  \"packages\": {\n    \"node_modules/ghost-npm-beta\": {\"version\": \"1.0.0\"}\n  }\n}\n", 4),
		pos("DEP-001", "yarn.lock", "__metadata:\n  version: 6\n\n\"ghost-npm-gamma@npm:^1.0.0\":\n  version: 1.0.0\n  resolution: \"ghost-npm-gamma@npm:1.0.0\"\n", 4),
		pos("DEP-001", "pyproject.toml", "[tool.poetry.dependencies]\npython = \"^3.11\"\nghost-pkg-epsilon = \"^1.2\"\n", 3),
		// DEP-001 tricky negatives: an alias's folder name, a workspace link.
		neg("DEP-001", "package.json", "{\"dependencies\": {\"not-a-real-name\": \"npm:lodash@^4.1.0\", \"local-lib\": \"workspace:*\"}}\n"),
		neg("DEP-001", "requirements.txt", "-e .\n./libs/internal-lib\nrequests==2.31.0\n"),

		// DEP-002: a young package, or a young release of an old one.
		pos("DEP-002", "requirements.txt", "fresh-alpha==0.1.0\n", 1),
		pos("DEP-002", "requirements.txt", "flask\nrequests==2.33.0\n", 2),
		pos("DEP-002", "pyproject.toml", "[project]\ndependencies = [\"fresh-beta\"]\n", 2),
		pos("DEP-002", "Pipfile", "[packages]\nfresh-gamma = \"==0.1.0\"\n", 2),
		pos("DEP-002", "poetry.lock", "[[package]]\nname = \"fresh-delta\"\nversion = \"0.1.0\"\n", 2),
		pos("DEP-002", "package.json", "{\n  \"dependencies\": {\n    \"fresh-npm-alpha\": \"0.1.0\"\n  }\n}\n", 3),
		pos("DEP-002", "package-lock.json", "{\n  \"packages\": {\n    \"node_modules/chalk\": {\"version\": \"5.4.0\"}\n  }\n}\n", 3),
		pos("DEP-002", "pnpm-lock.yaml", "lockfileVersion: '6.0'\npackages:\n  /fresh-npm-beta@0.1.0:\n    resolution: {integrity: sha512-x}\n", 3),
		// DEP-002 tricky negative: a range that the young release satisfies
		// resolves to an older allowed one, as the client would.
		neg("DEP-002", "package.json", "{\"dependencies\": {\"chalk\": \"^5.0.0\"}}\n"),
		neg("DEP-002", "requirements.txt", "requests>=2.30\n"),

		// DEP-003: typosquats.
		pos("DEP-003", "requirements.txt", "reqeusts==2.31.0\n", 1),
		pos("DEP-003", "requirements.txt", "flask\ndjnago>=4\n", 2),
		pos("DEP-003", "pyproject.toml", "[project]\ndependencies = [\n  \"numpyy\",\n]\n", 3),
		pos("DEP-003", "Pipfile", "[packages]\nfastapii = \"*\"\n", 2),
		pos("DEP-003", "package.json", "{\n  \"dependencies\": {\n    \"expresss\": \"^4.0.0\"\n  }\n}\n", 3),
		pos("DEP-003", "package.json", "{\n  \"devDependencies\": {\n    \"@typess/node\": \"^20.0.0\"\n  }\n}\n", 3),
		pos("DEP-003", "yarn.lock", "lodahs@^4.0.0:\n  version \"4.17.21\"\n", 1),
		pos("DEP-003", "package-lock.json", "{\n  \"packages\": {\n    \"node_modules/axois\": {\"version\": \"1.0.0\"}\n  }\n}\n", 3),
		neg("DEP-003", "requirements.txt", "pyyaml\nrich\n"),
		neg("DEP-003", "package.json", "{\"dependencies\": {\"ms\": \"^4.1.0\", \"vue\": \"^4.1.0\"}}\n"),

		// DEP-004: barely used (no popularity known for these names).
		pos("DEP-004", "requirements.txt", "obscure-alpha==1.0.0\n", 1),
		pos("DEP-004", "pyproject.toml", "[project]\ndependencies = [\n  \"obscure-beta\",\n]\n", 3),
		pos("DEP-004", "Pipfile", "[dev-packages]\nobscure-gamma = \"*\"\n", 2),
		pos("DEP-004", "setup.cfg", "[options]\ninstall_requires = obscure-delta>=1\n", 2),
		pos("DEP-004", "package.json", "{\n  \"optionalDependencies\": {\n    \"obscure-npm-alpha\": \"^1.0.0\"\n  }\n}\n", 3),
		pos("DEP-004", "package-lock.json", "{\n  \"packages\": {\n    \"node_modules/obscure-npm-beta\": {\"version\": \"1.0.0\"}\n  }\n}\n", 3),
		pos("DEP-004", "yarn.lock", "obscure-npm-gamma@^1.0.0:\n  version \"1.0.0\"\n", 1),
		pos("DEP-004", "pnpm-lock.yaml", "lockfileVersion: '9.0'\npackages:\n  obscure-npm-delta@1.0.0:\n    resolution: {integrity: sha512-x}\n", 3),
		neg("DEP-004", "requirements.txt", "django\nfastapi\n"),
		neg("DEP-004", "package.json", "{\"peerDependencies\": {\"react\": \"^4.1.0\"}}\n"),

		// DEP-005: no source repository.
		pos("DEP-005", "requirements.txt", "norepo-alpha==1.0.0\n", 1),
		pos("DEP-005", "pyproject.toml", "[project.optional-dependencies]\nextra = [\n  \"norepo-beta\",\n]\n", 3),
		pos("DEP-005", "Pipfile", "[packages]\nnorepo-gamma = \"*\"\n", 2),
		pos("DEP-005", "uv.lock", "version = 1\n[[package]]\nname = \"norepo-delta\"\nversion = \"1.0.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n", 3),
		pos("DEP-005", "package.json", "{\n  \"dependencies\": {\n    \"norepo-npm-alpha\": \"1.0.0\"\n  }\n}\n", 3),
		pos("DEP-005", "package-lock.json", "{\n  \"packages\": {\n    \"node_modules/norepo-npm-beta\": {\"version\": \"1.0.0\"}\n  }\n}\n", 3),
		pos("DEP-005", "yarn.lock", "norepo-npm-gamma@^1.0.0:\n  version \"1.0.0\"\n", 1),
		pos("DEP-005", "pnpm-lock.yaml", "lockfileVersion: '9.0'\npackages:\n  norepo-npm-delta@1.0.0:\n    resolution: {integrity: sha512-x}\n", 3),
		neg("DEP-005", "requirements.txt", "httpx\nurllib3\n"),
		neg("DEP-005", "package.json", "{\"dependencies\": {\"commander\": \"*\"}}\n"),

		// DEP-007: pinned versions (or ranges) nothing matches.
		pos("DEP-007", "requirements.txt", "requests==9.9.9\n", 1),
		pos("DEP-007", "requirements.txt", "flask>=99\n", 1),
		pos("DEP-007", "pyproject.toml", "[tool.poetry.dependencies]\nclick = \"9.9.9\"\n", 2),
		pos("DEP-007", "poetry.lock", "[[package]]\nname = \"rich\"\nversion = \"9.9.9\"\n", 2),
		pos("DEP-007", "package.json", "{\n  \"dependencies\": {\n    \"chalk\": \"9.9.9\"\n  }\n}\n", 3),
		pos("DEP-007", "package.json", "{\n  \"dependencies\": {\n    \"lodash\": \"^99.0.0\"\n  }\n}\n", 3),
		pos("DEP-007", "package-lock.json", "{\n  \"packages\": {\n    \"node_modules/express\": {\"version\": \"9.9.9\"}\n  }\n}\n", 3),
		pos("DEP-007", "yarn.lock", "axios@^9.0.0:\n  version \"9.9.9\"\n", 1),
		// DEP-007 tricky negatives: a major-only range, a dist-tag, a PEP 440
		// version written differently.
		neg("DEP-007", "package.json", "{\"dependencies\": {\"chalk\": \"4\", \"uuid\": \"latest\", \"debug\": \"4.x || 5.x\"}}\n"),
		neg("DEP-007", "requirements.txt", "requests==2.31\nclick>=2,<3\n"),

		// MAL-001: quarantined and security-holding packages.
		pos("MAL-001", "requirements.txt", "evil-alpha==1.0.0\n", 1),
		pos("MAL-001", "pyproject.toml", "[project]\ndependencies = [\n  \"evil-beta\",\n]\n", 3),
		pos("MAL-001", "Pipfile", "[packages]\nevil-gamma = \"*\"\n", 2),
		pos("MAL-001", "setup.cfg", "[options]\ninstall_requires =\n    evil-delta\n", 3),
		pos("MAL-001", "package.json", "{\n  \"dependencies\": {\n    \"evil-npm-alpha\": \"*\"\n  }\n}\n", 3),
		pos("MAL-001", "package-lock.json", "{\n  \"packages\": {\n    \"node_modules/evil-npm-beta\": {\"version\": \"0.0.1-security\"}\n  }\n}\n", 3),
		pos("MAL-001", "yarn.lock", "evil-npm-gamma@*:\n  version \"0.0.1-security\"\n", 1),
		pos("MAL-001", "pnpm-lock.yaml", "lockfileVersion: '9.0'\npackages:\n  evil-npm-delta@0.0.1-security:\n    resolution: {integrity: sha512-x}\n", 3),
		neg("MAL-001", "requirements.txt", "jinja2\n"),
		neg("MAL-001", "package.json", "{\"dependencies\": {\"semver\": \"^5.0.0\"}}\n"),

		// DEP-000: the registry fails for these: could not verify (never
		// DEP-001).
		pos("DEP-000", "requirements.txt", "flaky-alpha==1.0.0\n", 1),
		pos("DEP-000", "pyproject.toml", "[project]\ndependencies = [\n  \"flaky-beta\",\n]\n", 3),
		pos("DEP-000", "Pipfile", "[packages]\nflaky-gamma = \"*\"\n", 2),
		pos("DEP-000", "setup.cfg", "[options]\ninstall_requires =\n    flaky-delta\n", 3),
		pos("DEP-000", "package.json", "{\n  \"dependencies\": {\n    \"flaky-npm-alpha\": \"1.0.0\"\n  }\n}\n", 3),
		pos("DEP-000", "package-lock.json", "{\n  \"packages\": {\n    \"node_modules/flaky-npm-beta\": {\"version\": \"1.0.0\"}\n  }\n}\n", 3),
		pos("DEP-000", "yarn.lock", "flaky-npm-gamma@^1.0.0:\n  version \"1.0.0\"\n", 1),
		pos("DEP-000", "pnpm-lock.yaml", "lockfileVersion: '9.0'\npackages:\n  flaky-npm-delta@1.0.0:\n    resolution: {integrity: sha512-x}\n", 3),

		// DEP-008: ways around the registry.
		pos("DEP-008", "requirements.txt", "requests\n--extra-index-url https://user:pw@pkgs.example.org/simple\n", 2),
		pos("DEP-008", "requirements.txt", "-i https://pypi.org/simple\nflask\n", 1),
		pos("DEP-008", "requirements.txt", "--find-links https://example.org/wheels\n", 1),
		pos("DEP-008", "requirements.txt", "flask\ngit+https://github.com/example/lib.git#egg=lib\n", 2),
		pos("DEP-008", "requirements.txt", "lib @ https://example.org/lib-1.0.tar.gz\n", 1),
		pos("DEP-008", "pyproject.toml", "[tool.poetry.dependencies]\nlib = { git = \"https://github.com/example/lib.git\" }\n", 2),
		pos("DEP-008", "pyproject.toml", "[[tool.uv.index]]\nname = \"corp\"\nurl = \"https://pkgs.example.org/simple\"\n", 3),
		pos("DEP-008", ".npmrc", "save-exact=true\nregistry=https://registry.npmjs.org/\n", 2),
		pos("DEP-008", ".yarnrc.yml", "nodeLinker: node-modules\nnpmRegistryServer: \"https://npm.example.org\"\n", 2),
		pos("DEP-008", "package.json", "{\n  \"dependencies\": {\n    \"lib\": \"github:example/lib\"\n  }\n}\n", 3),
		pos("DEP-008", "package-lock.json", "{\n  \"packages\": {\n    \"node_modules/lodash\": {\"version\": \"4.1.2\", \"resolved\": \"https://npm.example.org/lodash/-/lodash-4.1.2.tgz\"}\n  }\n}\n", 3),
		pos("DEP-008", "pip.conf", "[global]\nextra-index-url = https://pkgs.example.org/simple\n", 2),
		pos("DEP-008", "Pipfile", "[[source]]\nurl = \"https://pkgs.example.org/simple\"\nname = \"corp\"\n", 2),
		pos("DEP-008", "package.json", "{\n  \"dependencies\": {\n    \"shared\": \"file:../../shared\"\n  }\n}\n", 3),
		// DEP-008 tricky negatives: the proxy itself, in-repo paths, the
		// public registry recorded in a lockfile, unrelated settings.
		neg("DEP-008", "requirements.txt", "--index-url http://vigil.internal:8080/pypi/simple/\n-e .\n./libs/x\n--find-links ./wheels\nrequests==2.31.0 --hash=sha256:abc\n"),
		neg("DEP-008", ".npmrc", "save-exact=true\nregistry=http://vigil.internal:8080/npm/\n"),
		neg("DEP-008", "package.json", "{\"dependencies\": {\"a\": \"file:./packages/a\", \"b\": \"workspace:^\", \"c\": \"link:./c\"}}\n"),
		neg("DEP-008", ".yarnrc.yml", "nodeLinker: node-modules\n"),
	)
	return fx
}

// scanReport is the part of scan's JSON report the tests read.
type scanReport struct {
	Findings []scanner.Finding `json:"findings"`
	Notes    []string          `json:"notes"`
	Errors   []scanner.FileError
}

func scanJSON(t *testing.T, environ map[string]string, args ...string) (int, scanReport, string) {
	t.Helper()
	code, out, errOut := runCLI(t, environ, "", append([]string{"scan", "-f", "json", "--no-repo-config"}, args...)...)
	var rep scanReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("scan output is not JSON (exit %d): %v\n%s\nstderr: %s", code, err, out, errOut)
	}
	return code, rep, errOut
}

// TestScanDepRuleFixtures runs every rule's positive and negative fixtures
// (at least 8 of each per rule) through one scan with the in-process judge
// against fake registries.
func TestScanDepRuleFixtures(t *testing.T) {
	up := newDepUpstreams(t)
	root := t.TempDir()
	fx := depFixtures()
	paths := make([]string, len(fx))
	counts := map[string][2]int{}
	for i, f := range fx {
		dir := fmt.Sprintf("f%03d", i)
		paths[i] = dir + "/" + f.file
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, dir, f.file), []byte(f.content), 0o644); err != nil {
			t.Fatal(err)
		}
		c := counts[f.rule]
		if f.pos {
			c[0]++
		} else {
			c[1]++
		}
		counts[f.rule] = c
	}
	for rule, c := range counts {
		if c[0] < 8 || c[1] < 8 {
			t.Errorf("%s has %d positive and %d negative fixtures, want >= 8 of each", rule, c[0], c[1])
		}
	}
	_, rep, errOut := scanJSON(t, up.env(t), "--fail-on", "none", root)
	byFile := map[string][]scanner.Finding{}
	for _, f := range rep.Findings {
		byFile[f.Path] = append(byFile[f.Path], f)
	}
	for i, f := range fx {
		var got []string
		hit := false
		for _, g := range byFile[paths[i]] {
			got = append(got, fmt.Sprintf("%d %s %s %s", g.Line, g.Rule, g.Severity, g.Message))
			if g.Rule == f.rule && (!f.pos || g.Line == f.line) {
				hit = true
			}
		}
		if f.pos && !hit {
			t.Errorf("%s positive %s: no %s at line %d; got:\n  %s", f.rule, paths[i], f.rule, f.line, strings.Join(got, "\n  "))
		}
		if !f.pos && hit {
			t.Errorf("%s negative %s: raised %s; got:\n  %s\ncontent:\n%s", f.rule, paths[i], f.rule, strings.Join(got, "\n  "), f.content)
		}
	}
	if len(rep.Errors) > 0 {
		t.Errorf("per-file errors: %+v (stderr %s)", rep.Errors, errOut)
	}
	// No nonexistence is invented for packages the registry failed on.
	for _, f := range rep.Findings {
		if f.Rule == "DEP-001" && strings.Contains(f.Message, "flaky") {
			t.Errorf("DEP-001 for a package the registry failed on: %+v", f)
		}
		if strings.Contains(f.Message, "pw@") {
			t.Errorf("credentials in a finding: %s", f.Message)
		}
	}
	// Severity mapping: block → rule severity, warn → one lower.
	want := map[string]scanner.Severity{"DEP-001": scanner.Critical, "DEP-003": scanner.Critical, "MAL-001": scanner.Critical,
		"DEP-002": scanner.High, "DEP-007": scanner.High, "DEP-000": scanner.High, "DEP-008": scanner.High,
		"DEP-004": scanner.Medium, "DEP-005": scanner.Medium} // DEP-004/005 warn under the default strategy
	seen := map[string]bool{}
	for _, f := range rep.Findings {
		if w, ok := want[f.Rule]; ok && f.Severity != w {
			if !(f.Rule == "DEP-003" && f.Severity == scanner.High) { // DEP-003's warn tier
				t.Errorf("%s at %s:%d has severity %s, want %s", f.Rule, f.Path, f.Line, f.Severity, w)
			}
		}
		seen[f.Rule] = true
	}
	var missing []string
	for r := range want {
		if !seen[r] {
			missing = append(missing, r)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("rules never raised: %v", missing)
	}
}

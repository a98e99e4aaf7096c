package deps

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
)

// Declaration is one dependency a manifest or lockfile declares.
type Declaration struct {
	Ecosystem Ecosystem
	// Name is the registry name (for an npm alias "x": "npm:real@1", the
	// real package).
	Name string
	// Spec is the declared version: exact (lockfiles), a range, a dist-tag
	// or "" for any.
	Spec string
	Line int
	// Dev marks development-only declarations (devDependencies, Pipfile
	// dev-packages, PEP 735 groups, poetry's non-main groups).
	Dev bool
	// Resolved is the URL a lockfile fetches the package from, when it
	// records one: a package from a host that is neither a public registry
	// nor the proxy is reported as DEP-008 and not judged by name (it may
	// be a private package the public registry never had).
	Resolved string
}

// Bypass is a way around the registry (DEP-008) found in a file.
type Bypass struct {
	Line int
	// What describes it for the finding message.
	What string
	// URL is the address involved, when there is one: DEP-008 compares its
	// host with the configured proxy.
	URL string
	// Lockfile marks resolved URLs of lockfiles, and Pipfile sources: the
	// public registries are fine there (clients rewrite them to the
	// configured registry, pipenv to PIPENV_PYPI_MIRROR).
	Lockfile bool
}

// Manifest is what a parser found in one file.
type Manifest struct {
	Deps     []Declaration
	Bypasses []Bypass
	// Includes are other requirement files named with -r/-c (relative to
	// this file's directory).
	Includes []string
	// Requires are the requirement files named with -r (not -c): what
	// they declare, this file declares too.
	Requires []string
	// Name is the project's own name when the file declares one
	// (package.json "name", pyproject's [project] or [tool.poetry] name): a
	// workspace member or sibling project other manifests may depend on.
	Name string
	// Unjudged are dependencies declared by name but taken from git, a URL
	// or a path (DEP-008 reports those leaving the repository): no
	// registry judges them, yet the project declares them, so importing
	// them is no undeclared import.
	Unjudged []Declaration
	// Private marks a package.json with "private": true: an application
	// or a workspace root, never published, whose bundler or deployment
	// decides what ships, not the dependencies/devDependencies split.
	Private bool
	// Incomplete marks a manifest whose requirements are partly computed
	// (setup.py's install_requires=read_requirements()): what it declares
	// is not known, so it cannot show an import undeclared.
	Incomplete bool
}

// Kind names the parser for a file path ("" when none applies).
func Kind(p string) string {
	base := path.Base(p)
	lb := strings.ToLower(base)
	dir := path.Base(path.Dir(p))
	switch {
	case lb == "pyproject.toml":
		return "pyproject"
	case base == "Pipfile":
		return "pipfile"
	case lb == "setup.py":
		return "setuppy"
	case lb == "setup.cfg":
		return "setupcfg"
	case lb == "poetry.lock":
		return "poetrylock"
	case lb == "uv.lock":
		return "uvlock"
	case lb == "uv.toml":
		return "uvtoml"
	case lb == "package.json":
		return "packagejson"
	case lb == "package-lock.json" || lb == "npm-shrinkwrap.json":
		return "packagelock"
	case lb == "yarn.lock":
		return "yarnlock"
	case lb == "pnpm-lock.yaml":
		return "pnpmlock"
	case lb == ".npmrc":
		return "npmrc"
	case lb == ".yarnrc.yml" || lb == ".yarnrc.yaml" || lb == ".yarnrc":
		return "yarnrc"
	case lb == "pip.conf" || lb == "pip.ini":
		return "pipconf"
	case strings.HasSuffix(lb, ".txt") && (strings.Contains(lb, "requirements") || strings.HasPrefix(lb, "constraints") || dir == "requirements"):
		return "requirements"
	}
	return ""
}

// maxDeclarations bounds what one file may declare (a hostile file must not
// turn into millions of queries).
const maxDeclarations = 20000

// Parse reads a manifest, lockfile or registry configuration. An error
// means the file could not be read as its kind; what was found before the
// error is still returned.
func Parse(p string, content []byte) (Manifest, error) {
	var m Manifest
	var err error
	switch Kind(p) {
	case "requirements":
		m, err = parseRequirements(content)
	case "pyproject":
		m, err = parsePyproject(content)
	case "pipfile":
		m, err = parsePipfile(content)
	case "setupcfg":
		m, err = parseSetupCfg(content)
	case "setuppy":
		m, err = parseSetupPy(content)
	case "poetrylock":
		m, err = parsePoetryLock(content)
	case "uvlock":
		m, err = parseUVLock(content)
	case "uvtoml":
		m, err = parseUVToml(content)
	case "packagejson":
		m, err = parsePackageJSON(content)
	case "packagelock":
		m, err = parsePackageLock(content)
	case "yarnlock":
		m, err = parseYarnLock(content)
	case "pnpmlock":
		m, err = parsePnpmLock(content)
	case "npmrc":
		m, err = parseNpmrc(content)
	case "yarnrc":
		m, err = parseYarnrc(content)
	case "pipconf":
		m, err = parsePipConf(content)
	default:
		return m, fmt.Errorf("%s: not a manifest this scanner reads", p)
	}
	m.Deps = slices.DeleteFunc(m.Deps, func(d Declaration) bool { return !plausibleName(d.Name) })
	if len(m.Deps) > maxDeclarations {
		m.Deps = m.Deps[:maxDeclarations]
		if err == nil {
			err = fmt.Errorf("more than %d declarations: the rest were not checked", maxDeclarations)
		}
	}
	return m, err
}

// unjudged records a dependency declared by name and fetched from
// elsewhere.
func (m *Manifest) unjudged(eco Ecosystem, name string, line int) {
	if plausibleName(name) && len(m.Unjudged) < maxDeclarations {
		m.Unjudged = append(m.Unjudged, Declaration{Ecosystem: eco, Name: name, Line: line})
	}
}

// plausibleName drops what cannot be a package name (empty, spaces,
// control characters, over-long): such keys are not dependencies.
func plausibleName(n string) bool {
	if n == "" || len(n) > 214 {
		return false
	}
	for _, r := range n {
		if r <= ' ' || r == 0x7f || r == '"' || r == '\\' {
			return false
		}
	}
	return true
}

// lines is a file's text split for line lookups.
type lines []string

func splitLines(b []byte) lines {
	return strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
}

// find returns the 1-based number of the first line at or after from
// (1-based) containing needle, else of the first anywhere, else 0.
func (ls lines) find(needle string, from int) int {
	if needle == "" {
		return 0
	}
	for i := max(from-1, 0); i < len(ls); i++ {
		if strings.Contains(ls[i], needle) {
			return i + 1
		}
	}
	for i := 0; i < min(max(from-1, 0), len(ls)); i++ {
		if strings.Contains(ls[i], needle) {
			return i + 1
		}
	}
	return 0
}

// findRe is find with a regular expression.
func (ls lines) findRe(re *regexp.Regexp, from int) int {
	for i := max(from-1, 0); i < len(ls); i++ {
		if re.MatchString(ls[i]) {
			return i + 1
		}
	}
	return 0
}

// header finds a TOML/INI table header line ("[project]"), 0 when absent.
func (ls lines) header(name string) int {
	re := regexp.MustCompile(`^\s*\[\s*` + regexp.QuoteMeta(name) + `\s*\]\s*(#.*)?$`)
	return ls.findRe(re, 1)
}

// keyLine finds the line declaring key (bare or quoted) in a TOML table or
// JSON object at or after from.
func (ls lines) keyLine(key string, from int) int {
	q := regexp.QuoteMeta(key)
	re := regexp.MustCompile(`^\s*(?:` + q + `|"` + q + `"|'` + q + `')\s*[=:]`)
	if n := ls.findRe(re, from); n > 0 {
		return n
	}
	// JSON written on few lines, inline TOML tables: a quoted key anywhere.
	loose := regexp.MustCompile(`(?:^|[{,\s])(?:"` + q + `"|'` + q + `')\s*[=:]`)
	if n := ls.findRe(loose, from); n > 0 {
		return n
	}
	if n := ls.findRe(re, 1); n > 0 {
		return n
	}
	return ls.findRe(loose, 1)
}

// pep508 is a PEP 508 requirement's parts.
type pep508 struct {
	name, spec, url string
}

var pep508Name = regexp.MustCompile(`^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$`)

// parsePEP508 splits "name[extras] (>=1,<2) ; marker" or "name @ url".
func parsePEP508(s string) (pep508, bool) {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, ";"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	m := pep508Name.FindStringSubmatch(s)
	if m == nil {
		return pep508{}, false
	}
	r := pep508{name: m[1]}
	rest := strings.TrimSpace(m[3])
	if u, ok := strings.CutPrefix(rest, "@"); ok {
		r.url = strings.TrimSpace(u)
		return r, r.url != ""
	}
	rest = strings.TrimSuffix(strings.TrimPrefix(rest, "("), ")")
	rest = strings.Join(strings.Fields(rest), "")
	if rest != "" && !strings.ContainsAny(rest[:1], "<>=!~") {
		return pep508{}, false
	}
	r.spec = rest
	return r, true
}

// isURL reports whether s is a URL or VCS reference rather than a name.
func isURL(s string) bool {
	ls := strings.ToLower(s)
	for _, p := range []string{"http://", "https://", "git+", "git://", "hg+", "svn+", "bzr+", "file:", "ssh://", "git@"} {
		if strings.HasPrefix(ls, p) {
			return true
		}
	}
	return false
}

// outsidePath reports whether a local path dependency leaves the
// repository (absolute, home-relative or climbing above it): code the
// project does not contain and no registry judged.
func outsidePath(p string) bool {
	p = strings.TrimSpace(p)
	p = strings.TrimPrefix(strings.TrimPrefix(p, "file://"), "file:")
	if p == "" {
		return false
	}
	if strings.HasPrefix(p, "/") || strings.HasPrefix(p, "~") || (len(p) > 2 && p[1] == ':') {
		return true
	}
	return strings.HasPrefix(path.Clean(strings.ReplaceAll(p, "\\", "/")), "..")
}

func trimQuotes(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

func hasBOM(b []byte) []byte { return bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) }

package deps

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// parseRequirements reads a pip requirements file: options (-r, -c, -e,
// --index-url, --extra-index-url, --find-links, --hash …), PEP 508
// requirements with extras and markers, URLs and VCS references. Line
// continuations are joined and reported at their first line.
func parseRequirements(b []byte) (Manifest, error) {
	var m Manifest
	ls := splitLines(hasBOM(b))
	for i := 0; i < len(ls); i++ {
		lineNo := i + 1
		text := ls[i]
		for strings.HasSuffix(text, "\\") && i+1 < len(ls) {
			i++
			text = strings.TrimSuffix(text, "\\") + " " + ls[i]
		}
		text = stripComment(text)
		if text == "" {
			continue
		}
		fields := strings.Fields(text)
		first := fields[0]
		if strings.HasPrefix(first, "-") {
			opt, val, _ := strings.Cut(first, "=")
			if val == "" && len(fields) > 1 && !strings.Contains(first, "=") {
				val = fields[1]
			}
			if len(opt) > 2 && opt[1] != '-' { // -rfile, -ihttps://…
				opt, val = opt[:2], opt[2:]
			}
			switch opt {
			case "-r", "--requirement", "-c", "--constraint":
				if val != "" {
					m.Includes = append(m.Includes, val)
					if opt == "-r" || opt == "--requirement" {
						m.Requires = append(m.Requires, val)
					}
				}
			case "-i", "--index-url":
				m.Bypasses = append(m.Bypasses, Bypass{Line: lineNo, What: "--index-url " + redactURL(val), URL: val})
			case "--extra-index-url":
				m.Bypasses = append(m.Bypasses, Bypass{Line: lineNo, What: "--extra-index-url " + redactURL(val) + " (pip merges a second index: any name there bypasses the proxy)", URL: val})
			case "-f", "--find-links":
				m.Bypasses = append(m.Bypasses, Bypass{Line: lineNo, What: "--find-links " + redactURL(val), URL: val})
			case "-e", "--editable":
				if isURL(val) {
					m.Bypasses = append(m.Bypasses, Bypass{Line: lineNo, What: "editable install from " + redactURL(val)})
				} else if outsidePath(val) {
					m.Bypasses = append(m.Bypasses, Bypass{Line: lineNo, What: "editable install from " + val + ", outside the repository"})
				}
			}
			continue
		}
		// Requirement options (--hash) follow the requirement.
		req := text
		if j := strings.Index(req, " --"); j >= 0 {
			req = req[:j]
		}
		req = strings.TrimSpace(req)
		if isURL(req) {
			m.Bypasses = append(m.Bypasses, Bypass{Line: lineNo, What: "dependency fetched from " + redactURL(strings.Fields(req)[0])})
			continue
		}
		if strings.HasPrefix(req, ".") || strings.HasPrefix(req, "/") {
			if outsidePath(strings.Fields(req)[0]) {
				m.Bypasses = append(m.Bypasses, Bypass{Line: lineNo, What: "dependency installed from " + strings.Fields(req)[0] + ", outside the repository"})
			}
			continue
		}
		r, ok := parsePEP508(req)
		if !ok {
			continue
		}
		if r.url != "" {
			m.Bypasses = append(m.Bypasses, Bypass{Line: lineNo, What: r.name + " fetched from " + redactURL(r.url)})
			m.unjudged(PyPI, r.name, lineNo)
			continue
		}
		m.Deps = append(m.Deps, Declaration{Ecosystem: PyPI, Name: r.name, Spec: r.spec, Line: lineNo})
	}
	return m, nil
}

// stripComment drops a "#" comment that starts a line or follows
// whitespace (pip's rule: "pkg#egg" inside a URL is not a comment).
func stripComment(s string) string {
	if strings.HasPrefix(strings.TrimSpace(s), "#") {
		return ""
	}
	for i := 1; i < len(s); i++ {
		if s[i] == '#' && (s[i-1] == ' ' || s[i-1] == '\t') {
			s = s[:i]
			break
		}
	}
	return strings.TrimSpace(s)
}

// redactURL hides credentials in a URL shown in a finding.
func redactURL(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	// The fragment (#sha256=…, #egg=…) is kept; a query may carry a token
	// (?token=…, signed URLs), so its contents are never shown.
	rest, frag, hasFrag := strings.Cut(rest, "#")
	rest, query, hasQuery := strings.Cut(rest, "?")
	host, tail, hasPath := strings.Cut(rest, "/")
	if at := strings.LastIndex(host, "@"); at >= 0 {
		host = "***@" + host[at+1:]
	}
	out := scheme + "://" + host
	if hasPath {
		out += "/" + tail
	}
	if hasQuery && query != "" {
		out += "?***"
	}
	if hasFrag {
		out += "#" + frag
	}
	return out
}

// pyproject is the part of pyproject.toml that declares dependencies.
type pyproject struct {
	BuildSystem struct {
		Requires []string `toml:"requires"`
	} `toml:"build-system"`
	Project struct {
		Name                 string              `toml:"name"`
		Dependencies         []string            `toml:"dependencies"`
		OptionalDependencies map[string][]string `toml:"optional-dependencies"`
	} `toml:"project"`
	DependencyGroups map[string][]any `toml:"dependency-groups"`
	Tool             struct {
		// PDM's development groups: [tool.pdm.dev-dependencies] name = [...]
		PDM struct {
			DevDependencies map[string][]string `toml:"dev-dependencies"`
		} `toml:"pdm"`
		// Hatch environments: [tool.hatch.envs.NAME] dependencies and
		// extra-dependencies, installed into that environment only.
		Hatch struct {
			Envs map[string]struct {
				Dependencies      []string `toml:"dependencies"`
				ExtraDependencies []string `toml:"extra-dependencies"`
			} `toml:"envs"`
		} `toml:"hatch"`
		Poetry struct {
			Name            string         `toml:"name"`
			Dependencies    map[string]any `toml:"dependencies"`
			DevDependencies map[string]any `toml:"dev-dependencies"`
			Group           map[string]struct {
				Dependencies map[string]any `toml:"dependencies"`
			} `toml:"group"`
			Source []struct {
				Name string `toml:"name"`
				URL  string `toml:"url"`
			} `toml:"source"`
		} `toml:"poetry"`
		UV uvSettings `toml:"uv"`
	} `toml:"tool"`
}

// uvSettings is uv's configuration, in pyproject's [tool.uv] or uv.toml.
type uvSettings struct {
	IndexURL      string   `toml:"index-url"`
	ExtraIndexURL []string `toml:"extra-index-url"`
	FindLinks     []string `toml:"find-links"`
	Index         []struct {
		Name string `toml:"name"`
		URL  string `toml:"url"`
	} `toml:"index"`
	Sources map[string]any `toml:"sources"`
	// DevDependencies is uv's pre-PEP 735 development list.
	DevDependencies []string `toml:"dev-dependencies"`
}

func parsePyproject(b []byte) (Manifest, error) {
	var doc pyproject
	var m Manifest
	if _, err := toml.Decode(string(hasBOM(b)), &doc); err != nil {
		return m, fmt.Errorf("pyproject.toml: %w", err)
	}
	ls := splitLines(b)
	m.Name = doc.Project.Name
	if m.Name == "" {
		m.Name = doc.Tool.Poetry.Name
	}
	// Build requirements are fetched from the registry too (judged), and
	// only the build (setup.py) imports them: development-only.
	n := len(m.Deps)
	m.addPEP508(ls, doc.BuildSystem.Requires, max(ls.header("build-system"), 1))
	m.markDev(n)
	if len(doc.Project.Dependencies) > 0 {
		from := ls.header("project")
		m.addPEP508(ls, doc.Project.Dependencies, from)
	}
	for _, group := range sortedKeys(doc.Project.OptionalDependencies) {
		from := ls.header("project.optional-dependencies")
		m.addPEP508(ls, doc.Project.OptionalDependencies[group], max(from, ls.keyLine(group, from)))
	}
	for _, group := range sortedKeys(doc.DependencyGroups) {
		from := ls.header("dependency-groups")
		var reqs []string
		for _, v := range doc.DependencyGroups[group] {
			if s, ok := v.(string); ok { // {include-group = "…"} tables name other groups
				reqs = append(reqs, s)
			}
		}
		n := len(m.Deps)
		m.addPEP508(ls, reqs, max(from, ls.keyLine(group, from)))
		m.markDev(n) // PEP 735 groups are not installed with the package
	}
	for _, group := range sortedKeys(doc.Tool.PDM.DevDependencies) {
		from := ls.header("tool.pdm.dev-dependencies")
		n := len(m.Deps)
		m.addPEP508(ls, doc.Tool.PDM.DevDependencies[group], max(from, ls.keyLine(group, from)))
		m.markDev(n)
	}
	for _, env := range sortedKeys(doc.Tool.Hatch.Envs) {
		e := doc.Tool.Hatch.Envs[env]
		n := len(m.Deps)
		m.addPEP508(ls, append(slices.Clone(e.Dependencies), e.ExtraDependencies...), max(ls.header("tool.hatch.envs."+env), 1))
		m.markDev(n)
	}
	n = len(m.Deps)
	m.addPEP508(ls, doc.Tool.UV.DevDependencies, max(ls.header("tool.uv"), 1))
	m.markDev(n)
	po := doc.Tool.Poetry
	m.addPoetry(ls, po.Dependencies, ls.header("tool.poetry.dependencies"))
	n = len(m.Deps)
	m.addPoetry(ls, po.DevDependencies, ls.header("tool.poetry.dev-dependencies"))
	m.markDev(n)
	for _, g := range sortedKeys(po.Group) {
		n := len(m.Deps)
		m.addPoetry(ls, po.Group[g].Dependencies, ls.header("tool.poetry.group."+g+".dependencies"))
		if g != "main" {
			m.markDev(n)
		}
	}
	for _, s := range po.Source {
		if s.URL != "" {
			m.Bypasses = append(m.Bypasses, Bypass{Line: ls.find(s.URL, ls.find("[[tool.poetry.source]]", 1)), What: "poetry source " + redactURL(s.URL), URL: s.URL})
		}
	}
	m.addUV(ls, doc.Tool.UV, "tool.uv.")
	return m, nil
}

func parseUVToml(b []byte) (Manifest, error) {
	var doc uvSettings
	var m Manifest
	if _, err := toml.Decode(string(hasBOM(b)), &doc); err != nil {
		return m, fmt.Errorf("uv.toml: %w", err)
	}
	m.addUV(splitLines(b), doc, "")
	return m, nil
}

func (m *Manifest) addUV(ls lines, uv uvSettings, prefix string) {
	if uv.IndexURL != "" {
		m.Bypasses = append(m.Bypasses, Bypass{Line: ls.find(uv.IndexURL, 1), What: "uv index-url " + redactURL(uv.IndexURL), URL: uv.IndexURL})
	}
	for _, u := range uv.ExtraIndexURL {
		m.Bypasses = append(m.Bypasses, Bypass{Line: ls.find(u, 1), What: "uv extra-index-url " + redactURL(u), URL: u})
	}
	for _, u := range uv.FindLinks {
		m.Bypasses = append(m.Bypasses, Bypass{Line: ls.find(u, 1), What: "uv find-links " + redactURL(u), URL: u})
	}
	for _, ix := range uv.Index {
		if ix.URL != "" {
			m.Bypasses = append(m.Bypasses, Bypass{Line: ls.find(ix.URL, 1), What: "uv index " + redactURL(ix.URL), URL: ix.URL})
		}
	}
	from := ls.header(prefix + "sources")
	for _, name := range sortedKeys(uv.Sources) {
		t, ok := uv.Sources[name].(map[string]any)
		if !ok {
			continue
		}
		line := ls.keyLine(name, from)
		switch {
		case t["git"] != nil:
			m.Bypasses = append(m.Bypasses, Bypass{Line: line, What: fmt.Sprintf("%s from git %v", name, redactURL(fmt.Sprint(t["git"])))})
		case t["url"] != nil:
			m.Bypasses = append(m.Bypasses, Bypass{Line: line, What: fmt.Sprintf("%s from %v", name, redactURL(fmt.Sprint(t["url"])))})
		case t["path"] != nil && outsidePath(fmt.Sprint(t["path"])):
			m.Bypasses = append(m.Bypasses, Bypass{Line: line, What: fmt.Sprintf("%s from %v, outside the repository", name, t["path"])})
		}
	}
}

// markDev marks the declarations from index n on as development-only.
func (m *Manifest) markDev(n int) {
	for i := n; i < len(m.Deps); i++ {
		m.Deps[i].Dev = true
	}
}

// addPEP508 adds requirement strings, finding each one's line from a
// section's start.
func (m *Manifest) addPEP508(ls lines, reqs []string, from int) {
	cursor := from
	for _, raw := range reqs {
		line := ls.find(raw, cursor)
		if line == 0 {
			line = from
		} else {
			cursor = line
		}
		r, ok := parsePEP508(raw)
		if !ok {
			continue
		}
		if r.url != "" {
			m.Bypasses = append(m.Bypasses, Bypass{Line: line, What: r.name + " fetched from " + redactURL(r.url)})
			m.unjudged(PyPI, r.name, line)
			continue
		}
		m.Deps = append(m.Deps, Declaration{Ecosystem: PyPI, Name: r.name, Spec: r.spec, Line: line})
	}
}

// addPoetry adds a poetry dependency table: name = "^1.2" or a table with
// version, git, url or path.
func (m *Manifest) addPoetry(ls lines, deps map[string]any, from int) {
	if from == 0 {
		from = 1
	}
	for _, name := range sortedKeys(deps) {
		if strings.EqualFold(name, "python") {
			continue
		}
		line := ls.keyLine(name, from)
		var spec string
		switch v := deps[name].(type) {
		case string:
			spec = v
		case map[string]any:
			switch {
			case v["git"] != nil:
				m.Bypasses = append(m.Bypasses, Bypass{Line: line, What: fmt.Sprintf("%s from git %v", name, redactURL(fmt.Sprint(v["git"])))})
				m.unjudged(PyPI, name, line)
				continue
			case v["url"] != nil:
				m.Bypasses = append(m.Bypasses, Bypass{Line: line, What: fmt.Sprintf("%s from %v", name, redactURL(fmt.Sprint(v["url"])))})
				m.unjudged(PyPI, name, line)
				continue
			case v["path"] != nil:
				if outsidePath(fmt.Sprint(v["path"])) {
					m.Bypasses = append(m.Bypasses, Bypass{Line: line, What: fmt.Sprintf("%s from %v, outside the repository", name, v["path"])})
				}
				m.unjudged(PyPI, name, line)
				continue
			}
			spec, _ = v["version"].(string)
		case []any: // multiple constraints by marker: judge the name
		default:
			continue
		}
		m.Deps = append(m.Deps, Declaration{Ecosystem: PyPI, Name: name, Spec: PoetrySpec(spec), Line: line})
	}
}

var poetryVersion = regexp.MustCompile(`^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(.*)$`)

// PoetrySpec turns poetry's constraint syntax into a PEP 440 specifier
// set: ^1.2.3 → >=1.2.3,<2.0.0; ~1.2.3 → >=1.2.3,<1.3.0; 1.2.3 → ==1.2.3;
// * → any. Other forms (>=, ==, ,-separated) are PEP 440 already.
func PoetrySpec(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || s == "*" {
		return ""
	}
	var parts []string
	for _, c := range strings.Split(s, ",") {
		c = strings.TrimSpace(c)
		switch {
		case strings.HasPrefix(c, "^"):
			parts = append(parts, caret(strings.TrimSpace(c[1:]))...)
		case strings.HasPrefix(c, "~") && !strings.HasPrefix(c, "~="):
			parts = append(parts, tilde(strings.TrimSpace(c[1:]))...)
		case c != "" && c[0] >= '0' && c[0] <= '9':
			parts = append(parts, "=="+c) // 1.2.3, and 1.2.* (a PEP 440 prefix match)
		default:
			parts = append(parts, strings.ReplaceAll(c, " ", ""))
		}
	}
	return strings.Join(parts, ",")
}

func versionParts(v string) (nums [3]int, n int, ok bool) {
	m := poetryVersion.FindStringSubmatch(v)
	if m == nil {
		return nums, 0, false
	}
	for i := 1; i <= 3; i++ {
		if m[i] == "" {
			break
		}
		fmt.Sscan(m[i], &nums[i-1])
		n = i
	}
	return nums, n, true
}

func caret(v string) []string {
	nums, n, ok := versionParts(v)
	if !ok {
		return []string{"==" + v}
	}
	var upper string
	switch {
	case nums[0] > 0 || n == 1:
		upper = fmt.Sprintf("%d.0.0", nums[0]+1)
	case nums[1] > 0 || n == 2:
		upper = fmt.Sprintf("0.%d.0", nums[1]+1)
	default:
		upper = fmt.Sprintf("0.0.%d", nums[2]+1)
	}
	return []string{">=" + v, "<" + upper}
}

func tilde(v string) []string {
	nums, n, ok := versionParts(v)
	if !ok {
		return []string{"==" + v}
	}
	upper := fmt.Sprintf("%d.%d.0", nums[0], nums[1]+1)
	if n == 1 {
		upper = fmt.Sprintf("%d.0.0", nums[0]+1)
	}
	return []string{">=" + v, "<" + upper}
}

// pipfile is the part of a Pipfile that declares dependencies.
type pipfile struct {
	Source []struct {
		URL string `toml:"url"`
	} `toml:"source"`
	Packages    map[string]any `toml:"packages"`
	DevPackages map[string]any `toml:"dev-packages"`
}

func parsePipfile(b []byte) (Manifest, error) {
	var m Manifest
	var raw map[string]any
	if _, err := toml.Decode(string(hasBOM(b)), &raw); err != nil {
		return m, fmt.Errorf("parse Pipfile: %w", err)
	}
	var doc pipfile
	if _, err := toml.Decode(string(hasBOM(b)), &doc); err != nil {
		return m, fmt.Errorf("parse Pipfile: %w", err)
	}
	ls := splitLines(b)
	for _, s := range doc.Source {
		if s.URL != "" {
			// pipenv rewrites a pypi.org source to PIPENV_PYPI_MIRROR, as
			// clients rewrite a lockfile's public registry URL: only another
			// host is a way around the proxy.
			m.Bypasses = append(m.Bypasses, Bypass{Line: ls.find(s.URL, 1), What: "Pipfile source " + redactURL(s.URL), URL: s.URL, Lockfile: true})
		}
	}
	// Every table other than source/requires/pipenv/scripts is a category
	// of packages (packages, dev-packages, custom categories).
	for _, cat := range sortedKeys(raw) {
		switch cat {
		case "source", "requires", "pipenv", "scripts":
			continue
		}
		deps, ok := raw[cat].(map[string]any)
		if !ok {
			continue
		}
		from := max(ls.header(cat), 1)
		for _, name := range sortedKeys(deps) {
			line := ls.keyLine(name, from)
			var spec string
			switch v := deps[name].(type) {
			case string:
				spec = v
			case map[string]any:
				switch {
				case v["git"] != nil:
					m.Bypasses = append(m.Bypasses, Bypass{Line: line, What: fmt.Sprintf("%s from git %v", name, redactURL(fmt.Sprint(v["git"])))})
					m.unjudged(PyPI, name, line)
					continue
				case v["file"] != nil && isURL(fmt.Sprint(v["file"])):
					m.Bypasses = append(m.Bypasses, Bypass{Line: line, What: fmt.Sprintf("%s from %v", name, redactURL(fmt.Sprint(v["file"])))})
					m.unjudged(PyPI, name, line)
					continue
				case v["path"] != nil || v["file"] != nil:
					p := fmt.Sprint(v["path"])
					if v["path"] == nil {
						p = fmt.Sprint(v["file"])
					}
					if outsidePath(p) {
						m.Bypasses = append(m.Bypasses, Bypass{Line: line, What: fmt.Sprintf("%s from %s, outside the repository", name, p)})
					}
					m.unjudged(PyPI, name, line)
					continue
				}
				spec, _ = v["version"].(string)
			default:
				continue
			}
			if spec == "*" {
				spec = ""
			}
			m.Deps = append(m.Deps, Declaration{Ecosystem: PyPI, Name: name, Spec: strings.ReplaceAll(spec, " ", ""), Line: line, Dev: cat == "dev-packages"})
		}
	}
	return m, nil
}

// parseSetupCfg reads setup.cfg's [options] install_requires,
// setup_requires, tests_require and [options.extras_require]: INI values
// continued on indented lines, one requirement per line or ;-separated.
func parseSetupCfg(b []byte) (Manifest, error) {
	var m Manifest
	ls := splitLines(hasBOM(b))
	section := ""
	inList := false
	for i, raw := range ls {
		line := i + 1
		t := strings.TrimSpace(raw)
		if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, ";") {
			continue
		}
		if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
			section = strings.ToLower(strings.TrimSpace(t[1 : len(t)-1]))
			inList = false
			continue
		}
		indented := raw[0] == ' ' || raw[0] == '\t'
		value := t
		if !indented {
			key, v, ok := strings.Cut(t, "=")
			if !ok {
				key, v, ok = strings.Cut(t, ":")
			}
			if !ok {
				inList = false
				continue
			}
			key = strings.ToLower(strings.TrimSpace(key))
			inList = section == "options.extras_require" ||
				(section == "options" && (key == "install_requires" || key == "setup_requires" || key == "tests_require"))
			if section == "options" && key == "dependency_links" {
				inList = false
			}
			value = strings.TrimSpace(v)
		}
		if !inList || value == "" {
			continue
		}
		for _, req := range strings.Split(value, ";") {
			req = stripComment(req)
			if req == "" || strings.HasPrefix(req, "python_version") {
				continue
			}
			if r, ok := parsePEP508(req); ok {
				if r.url != "" {
					m.Bypasses = append(m.Bypasses, Bypass{Line: line, What: r.name + " fetched from " + redactURL(r.url)})
					m.unjudged(PyPI, r.name, line)
					continue
				}
				m.Deps = append(m.Deps, Declaration{Ecosystem: PyPI, Name: r.name, Spec: r.spec, Line: line})
			}
			break // the part after ";" is a marker
		}
	}
	return m, nil
}

// lockPackage is a [[package]] of poetry.lock or uv.lock.
type lockPackage struct {
	Name    string         `toml:"name"`
	Version string         `toml:"version"`
	Source  map[string]any `toml:"source"`
}

// packageLines returns the line of each [[package]] block's name key, in
// order.
func packageLines(ls lines) []int {
	var out []int
	in := false
	for i, l := range ls {
		t := strings.TrimSpace(l)
		if t == "[[package]]" {
			in = true
			continue
		}
		if in && strings.HasPrefix(t, "name") && strings.Contains(t, "=") {
			out = append(out, i+1)
			in = false
		}
	}
	return out
}

// lockedPackage is one [[package]] table of a TOML lockfile and its line.
type lockedPackage struct {
	lockPackage
	line int
}

// decodeLockPackages decodes the [[package]] tables of poetry.lock or
// uv.lock, each with the line of its name.
func decodeLockPackages(b []byte, file string) ([]lockedPackage, error) {
	var doc struct {
		Package []lockPackage `toml:"package"`
	}
	if _, err := toml.Decode(string(hasBOM(b)), &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	at := packageLines(splitLines(b))
	out := make([]lockedPackage, len(doc.Package))
	for i, p := range doc.Package {
		out[i].lockPackage = p
		if i < len(at) {
			out[i].line = at[i]
		}
	}
	return out, nil
}

func parsePoetryLock(b []byte) (Manifest, error) {
	var m Manifest
	pkgs, err := decodeLockPackages(b, "poetry.lock")
	if err != nil {
		return m, err
	}
	for _, p := range pkgs {
		line := p.line
		typ, _ := p.Source["type"].(string)
		u, _ := p.Source["url"].(string)
		switch typ {
		case "git", "url", "file":
			m.Bypasses = append(m.Bypasses, Bypass{Line: line, What: fmt.Sprintf("%s %s locked from %s %s", p.Name, p.Version, typ, redactURL(u))})
			continue
		case "directory":
			if outsidePath(u) {
				m.Bypasses = append(m.Bypasses, Bypass{Line: line, What: fmt.Sprintf("%s locked from %s, outside the repository", p.Name, u)})
			}
			continue
		case "legacy":
			m.Bypasses = append(m.Bypasses, Bypass{Line: line, What: fmt.Sprintf("%s %s locked from index %s", p.Name, p.Version, redactURL(u)), URL: u, Lockfile: true})
		default:
			u = ""
		}
		m.Deps = append(m.Deps, Declaration{Ecosystem: PyPI, Name: p.Name, Spec: "==" + p.Version, Line: line, Resolved: u})
	}
	return m, nil
}

func parseUVLock(b []byte) (Manifest, error) {
	var m Manifest
	pkgs, err := decodeLockPackages(b, "uv.lock")
	if err != nil {
		return m, err
	}
	for _, p := range pkgs {
		line := p.line
		src := p.Source
		switch {
		case src["editable"] != nil || src["virtual"] != nil: // the project itself, a workspace member
			continue
		case src["git"] != nil:
			m.Bypasses = append(m.Bypasses, Bypass{Line: line, What: fmt.Sprintf("%s locked from git %s", p.Name, redactURL(fmt.Sprint(src["git"])))})
			continue
		case src["url"] != nil:
			m.Bypasses = append(m.Bypasses, Bypass{Line: line, What: fmt.Sprintf("%s locked from %s", p.Name, redactURL(fmt.Sprint(src["url"])))})
			continue
		case src["path"] != nil || src["directory"] != nil:
			p2 := fmt.Sprint(src["path"])
			if src["path"] == nil {
				p2 = fmt.Sprint(src["directory"])
			}
			if outsidePath(p2) {
				m.Bypasses = append(m.Bypasses, Bypass{Line: line, What: fmt.Sprintf("%s locked from %s, outside the repository", p.Name, p2)})
			}
			continue
		}
		u := ""
		if src["registry"] != nil {
			u = fmt.Sprint(src["registry"])
			m.Bypasses = append(m.Bypasses, Bypass{Line: line, What: fmt.Sprintf("%s %s locked from index %s", p.Name, p.Version, redactURL(u)), URL: u, Lockfile: true})
		}
		if p.Version == "" {
			continue
		}
		m.Deps = append(m.Deps, Declaration{Ecosystem: PyPI, Name: p.Name, Spec: "==" + p.Version, Line: line, Resolved: u})
	}
	return m, nil
}

// parsePipConf reads a committed pip.conf / pip.ini: index-url,
// extra-index-url and find-links in any section.
func parsePipConf(b []byte) (Manifest, error) {
	var m Manifest
	ls := splitLines(hasBOM(b))
	key := ""
	for i, raw := range ls {
		t := strings.TrimSpace(raw)
		if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, ";") || strings.HasPrefix(t, "[") {
			key = ""
			continue
		}
		val := t
		if raw[0] != ' ' && raw[0] != '\t' {
			k, v, ok := strings.Cut(t, "=")
			if !ok {
				key = ""
				continue
			}
			key = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(k), "_", "-"))
			val = strings.TrimSpace(v)
		}
		switch key {
		case "index-url", "extra-index-url", "find-links":
			for _, u := range strings.Fields(val) {
				m.Bypasses = append(m.Bypasses, Bypass{Line: i + 1, What: "pip " + key + " " + redactURL(u), URL: u})
			}
		}
	}
	return m, nil
}

package deps

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// npmDepKinds are the package.json fields whose values are specs.
var npmDepKinds = []string{"dependencies", "devDependencies", "optionalDependencies", "peerDependencies", "overrides", "resolutions"}

// parsePackageJSON reads every dependency kind of a package.json; aliases
// ("x": "npm:real@^1") are judged as the real package. Workspace members
// have their own package.json, which the walk finds.
func parsePackageJSON(b []byte) (Manifest, error) {
	var m Manifest
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(hasBOM(b), &doc); err != nil {
		return m, fmt.Errorf("package.json: %w", err)
	}
	ls := splitLines(b)
	if raw, ok := doc["name"]; ok {
		_ = json.Unmarshal(raw, &m.Name) // not a string: no name
	}
	if raw, ok := doc["private"]; ok {
		_ = json.Unmarshal(raw, &m.Private) // not a boolean: not private
	}
	for _, kind := range npmDepKinds {
		raw, ok := doc[kind]
		if !ok {
			continue
		}
		var deps map[string]any
		if err := json.Unmarshal(raw, &deps); err != nil {
			continue // a malformed section does not hide the others
		}
		from := max(ls.keyLine(kind, 1), 1)
		for _, name := range sortedKeys(deps) {
			spec, ok := deps[name].(string)
			if !ok { // nested overrides: {"foo": {"bar": "1"}}
				continue
			}
			if kind == "resolutions" || kind == "overrides" {
				// Keys may be paths ("**/foo", "a/b"); judge the last segment.
				if i := strings.LastIndex(name, "/"); i >= 0 && !strings.HasPrefix(name, "@") || strings.Count(name, "/") > 1 {
					name = name[strings.LastIndex(name, "/")+1:]
				}
				if spec == "$"+name || strings.HasPrefix(spec, "$") {
					continue
				}
			}
			line := ls.keyLine(name, from)
			n, u := len(m.Deps), len(m.Unjudged)
			m.addNPMSpec(name, spec, line)
			for i := n; i < len(m.Deps); i++ {
				m.Deps[i].Dev = kind == "devDependencies"
			}
			for i := u; i < len(m.Unjudged); i++ {
				m.Unjudged[i].Dev = kind == "devDependencies"
			}
		}
	}
	return m, nil
}

var githubShorthand = regexp.MustCompile(`^[A-Za-z0-9][\w.-]*/[\w.-]+(#.*)?$`)

// addNPMSpec classifies one package.json value.
func (m *Manifest) addNPMSpec(name, spec string, line int) {
	spec = strings.TrimSpace(spec)
	ls := strings.ToLower(spec)
	switch {
	case strings.HasPrefix(ls, "npm:"):
		target := spec[4:]
		i := strings.LastIndex(target, "@")
		if i > 0 {
			m.Deps = append(m.Deps, Declaration{Ecosystem: NPM, Name: target[:i], Spec: target[i+1:], Line: line})
		} else {
			m.Deps = append(m.Deps, Declaration{Ecosystem: NPM, Name: target, Line: line})
		}
	case strings.HasPrefix(ls, "workspace:"), strings.HasPrefix(ls, "catalog:"), strings.HasPrefix(ls, "portal:") && !outsidePath(spec[7:]):
		m.unjudged(NPM, name, line)
	case strings.HasPrefix(ls, "file:"), strings.HasPrefix(ls, "link:"), strings.HasPrefix(ls, "portal:"),
		strings.HasPrefix(ls, "./"), strings.HasPrefix(ls, "../"), strings.HasPrefix(ls, "/"), strings.HasPrefix(ls, "~/"):
		_, p, _ := strings.Cut(spec, ":")
		if !strings.Contains(spec, ":") {
			p = spec
		}
		if outsidePath(p) {
			m.Bypasses = append(m.Bypasses, Bypass{Line: line, What: fmt.Sprintf("%s from %s, outside the repository", name, spec)})
		}
		m.unjudged(NPM, name, line)
	case isURL(spec), strings.HasPrefix(ls, "github:"), strings.HasPrefix(ls, "gitlab:"), strings.HasPrefix(ls, "bitbucket:"), strings.HasPrefix(ls, "gist:"):
		m.Bypasses = append(m.Bypasses, Bypass{Line: line, What: fmt.Sprintf("%s from %s", name, redactURL(spec))})
		m.unjudged(NPM, name, line)
	case githubShorthand.MatchString(spec) && !strings.ContainsAny(spec, " <>=^~|"):
		m.Bypasses = append(m.Bypasses, Bypass{Line: line, What: fmt.Sprintf("%s from GitHub repository %s", name, spec)})
		m.unjudged(NPM, name, line)
	default:
		m.Deps = append(m.Deps, Declaration{Ecosystem: NPM, Name: name, Spec: spec, Line: line})
	}
}

// npmNameFromPath returns the package name of a package-lock "packages"
// key (node_modules/a/node_modules/@s/b → @s/b).
func npmNameFromPath(k string) (string, bool) {
	i := strings.LastIndex(k, "node_modules/")
	if i < 0 {
		return "", false
	}
	return k[i+len("node_modules/"):], true
}

// parsePackageLock reads package-lock.json / npm-shrinkwrap.json v2 and v3
// ("packages"); v1 files ("dependencies" only) are read recursively.
func parsePackageLock(b []byte) (Manifest, error) {
	var m Manifest
	var doc struct {
		LockfileVersion int `json:"lockfileVersion"`
		Packages        map[string]struct {
			Name     string `json:"name"`
			Version  string `json:"version"`
			Resolved string `json:"resolved"`
			Link     bool   `json:"link"`
		} `json:"packages"`
		Dependencies map[string]lockV1 `json:"dependencies"`
	}
	if err := json.Unmarshal(hasBOM(b), &doc); err != nil {
		return m, fmt.Errorf("package-lock.json: %w", err)
	}
	ls := splitLines(b)
	if doc.Packages == nil {
		m.addLockV1(ls, doc.Dependencies)
		return m, nil
	}
	keys := sortedKeys(doc.Packages)
	for _, k := range keys {
		p := doc.Packages[k]
		name, ok := npmNameFromPath(k)
		if !ok || p.Link {
			continue // the root project, workspace folders, links to them
		}
		if p.Name != "" {
			name = p.Name // an alias installed under another folder name
		}
		line := ls.find(`"`+k+`"`, 1)
		if p.Resolved != "" && m.addResolved(name, p.Version, p.Resolved, line) {
			continue
		}
		if p.Version == "" {
			continue
		}
		m.Deps = append(m.Deps, Declaration{Ecosystem: NPM, Name: name, Spec: p.Version, Line: line, Resolved: httpURL(p.Resolved)})
	}
	return m, nil
}

type lockV1 struct {
	Version      string            `json:"version"`
	Resolved     string            `json:"resolved"`
	Dependencies map[string]lockV1 `json:"dependencies"`
}

func (m *Manifest) addLockV1(ls lines, deps map[string]lockV1) {
	for _, name := range sortedKeys(deps) {
		d := deps[name]
		line := ls.find(`"`+name+`": {`, 1)
		version := d.Version
		if real, v, ok := strings.Cut(strings.TrimPrefix(version, "npm:"), "@"); strings.HasPrefix(version, "npm:") && ok {
			name, version = real, v
		}
		if !(d.Resolved != "" && m.addResolved(name, version, d.Resolved, line)) && version != "" && !isURL(version) && !strings.HasPrefix(version, "file:") {
			m.Deps = append(m.Deps, Declaration{Ecosystem: NPM, Name: name, Spec: version, Line: line, Resolved: httpURL(d.Resolved)})
		}
		m.addLockV1(ls, d.Dependencies)
	}
}

// addResolved records a lockfile's resolved URL: a tarball on a registry
// host is a Bypass to compare with the proxy (and still judged); git and
// local sources are bypasses that are not judged (done = true).
func (m *Manifest) addResolved(name, version, resolved string, line int) (done bool) {
	lr := strings.ToLower(resolved)
	switch {
	case strings.HasPrefix(lr, "git+"), strings.HasPrefix(lr, "git:"), strings.HasPrefix(lr, "github:"):
		m.Bypasses = append(m.Bypasses, Bypass{Line: line, What: fmt.Sprintf("%s locked from git %s", name, redactURL(resolved))})
		return true
	case strings.HasPrefix(lr, "file:"):
		if outsidePath(resolved) {
			m.Bypasses = append(m.Bypasses, Bypass{Line: line, What: fmt.Sprintf("%s locked from %s, outside the repository", name, resolved)})
		}
		return true
	case strings.HasPrefix(lr, "http://"), strings.HasPrefix(lr, "https://"):
		m.Bypasses = append(m.Bypasses, Bypass{Line: line, What: fmt.Sprintf("%s %s resolved from %s", name, version, redactURL(resolved)), URL: resolved, Lockfile: true})
	}
	return false
}

// httpURL returns u when it is an http(s) URL, else "".
func httpURL(u string) string {
	lu := strings.ToLower(u)
	if strings.HasPrefix(lu, "http://") || strings.HasPrefix(lu, "https://") {
		return u
	}
	return ""
}

// splitDescriptor splits a yarn/pnpm descriptor "name@range" (scoped names
// keep their leading @).
func splitDescriptor(d string) (name, rng string) {
	d = trimQuotes(strings.TrimSpace(d))
	i := strings.LastIndex(d, "@")
	if i <= 0 {
		return d, ""
	}
	// "name@npm:other@1" : the first @ after the name starts the range.
	j := strings.Index(d[1:], "@") + 1
	return d[:j], d[j+1:]
}

// parseYarnLock reads yarn.lock, classic (v1) and berry: a header line
// listing descriptors, then indented fields (version, resolved /
// resolution).
func parseYarnLock(b []byte) (Manifest, error) {
	var m Manifest
	ls := splitLines(hasBOM(b))
	type entry struct {
		line              int
		name              string
		version, resolved string
		skip              bool
	}
	var cur *entry
	flush := func() {
		if cur == nil || cur.skip || cur.name == "" {
			cur = nil
			return
		}
		if cur.resolved != "" && m.addResolved(cur.name, cur.version, cur.resolved, cur.line) {
			cur = nil
			return
		}
		if cur.version != "" && !strings.HasPrefix(cur.version, "0.0.0-use.local") {
			m.Deps = append(m.Deps, Declaration{Ecosystem: NPM, Name: cur.name, Spec: cur.version, Line: cur.line, Resolved: httpURL(cur.resolved)})
		}
		cur = nil
	}
	for i, raw := range ls {
		if strings.TrimSpace(raw) == "" || strings.HasPrefix(strings.TrimSpace(raw), "#") {
			continue
		}
		if raw[0] != ' ' && raw[0] != '\t' {
			flush()
			if !strings.HasSuffix(strings.TrimSpace(raw), ":") {
				continue
			}
			header := strings.TrimSuffix(strings.TrimSpace(raw), ":")
			if header == "__metadata" {
				cur = &entry{skip: true}
				continue
			}
			first := trimQuotes(strings.TrimSpace(strings.Split(trimQuotes(header), ",")[0]))
			name, rng := splitDescriptor(first)
			rng = strings.TrimPrefix(rng, "npm:")
			if strings.Contains(rng, "@") && !strings.HasPrefix(rng, "@") || strings.HasPrefix(rng, "@") && strings.Count(rng, "@") > 1 { // npm:real@range alias
				name, _ = splitDescriptor(rng)
			}
			e := &entry{line: i + 1, name: name}
			if strings.Contains(rng, "workspace:") || strings.HasPrefix(rng, "link:") || strings.HasPrefix(rng, "portal:") || strings.HasPrefix(rng, "patch:") {
				e.skip = true
			}
			cur = e
			continue
		}
		if cur == nil {
			continue
		}
		t := strings.TrimSpace(raw)
		key, val, _ := strings.Cut(t, " ")
		key = strings.TrimSuffix(key, ":")
		val = trimQuotes(strings.TrimSpace(val))
		switch key {
		case "version":
			cur.version = val
		case "resolved":
			cur.resolved = val
		case "resolution":
			// berry: "name@npm:1.2.3" on the registry; other protocols are git/url/file.
			_, r := splitDescriptor(val)
			switch {
			case strings.HasPrefix(r, "npm:"):
			case strings.HasPrefix(r, "https:"), strings.HasPrefix(r, "http:"), strings.HasPrefix(r, "git"), strings.HasPrefix(r, "github:"):
				cur.resolved = r
				if !strings.HasPrefix(r, "http") || strings.Contains(r, ".git#") || strings.Contains(r, "#commit=") {
					cur.resolved = "git+" + strings.TrimPrefix(r, "git+")
				}
			case strings.HasPrefix(r, "file:"):
				cur.resolved = r
			}
		}
	}
	flush()
	return m, nil
}

// parsePnpmLock reads pnpm-lock.yaml (v5 to v9): the "packages" map's keys
// name each package and version; a resolution with a tarball URL or a git
// repository is recorded for DEP-008.
func parsePnpmLock(b []byte) (Manifest, error) {
	var m Manifest
	var root yaml.Node
	if err := yaml.Unmarshal(hasBOM(b), &root); err != nil {
		return m, fmt.Errorf("pnpm-lock.yaml: %w", err)
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return m, nil
	}
	top := root.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value != "packages" || top.Content[i+1].Kind != yaml.MappingNode {
			continue
		}
		pk := top.Content[i+1]
		for j := 0; j+1 < len(pk.Content); j += 2 {
			key := pk.Content[j]
			name, version, ok := pnpmKey(key.Value)
			if !ok {
				continue
			}
			var res struct {
				Resolution struct {
					Tarball string `yaml:"tarball"`
					Repo    string `yaml:"repo"`
					Type    string `yaml:"type"`
				} `yaml:"resolution"`
				Name    string `yaml:"name"`
				Version string `yaml:"version"`
			}
			_ = pk.Content[j+1].Decode(&res)
			if res.Name != "" {
				name = res.Name
			}
			if res.Version != "" {
				version = res.Version
			}
			switch {
			case res.Resolution.Type == "git" || res.Resolution.Repo != "":
				m.Bypasses = append(m.Bypasses, Bypass{Line: key.Line, What: fmt.Sprintf("%s locked from git %s", name, redactURL(res.Resolution.Repo))})
				continue
			case res.Resolution.Type == "directory":
				continue
			case res.Resolution.Tarball != "":
				if m.addResolved(name, version, res.Resolution.Tarball, key.Line) {
					continue
				}
			}
			if version == "" || isURL(version) || strings.HasPrefix(version, "file:") || strings.HasPrefix(version, "link:") {
				continue
			}
			m.Deps = append(m.Deps, Declaration{Ecosystem: NPM, Name: name, Spec: version, Line: key.Line, Resolved: httpURL(res.Resolution.Tarball)})
		}
	}
	return m, nil
}

// pnpmKey splits "/name@1.0.0(peer@2)" (v6), "/name/1.0.0" (v5) or
// "name@1.0.0" (v9).
func pnpmKey(k string) (name, version string, ok bool) {
	k = strings.TrimPrefix(k, "/")
	if i := strings.Index(k, "("); i >= 0 {
		k = k[:i]
	}
	if k == "" {
		return "", "", false
	}
	if at := strings.LastIndex(k, "@"); at > 0 {
		return k[:at], k[at+1:], true
	}
	// v5: name/version, @scope/name/version
	if i := strings.LastIndex(k, "/"); i > 0 {
		return k[:i], k[i+1:], true
	}
	return "", "", false
}

// parseNpmrc reads registry settings of a committed .npmrc:
// registry=…, @scope:registry=….
func parseNpmrc(b []byte) (Manifest, error) {
	var m Manifest
	for i, raw := range splitLines(hasBOM(b)) {
		t := strings.TrimSpace(raw)
		if t == "" || t[0] == '#' || t[0] == ';' {
			continue
		}
		k, v, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		if k == "registry" || strings.HasSuffix(k, ":registry") {
			u := trimQuotes(strings.TrimSpace(v))
			m.Bypasses = append(m.Bypasses, Bypass{Line: i + 1, What: ".npmrc " + k + " " + redactURL(u), URL: u})
		}
	}
	return m, nil
}

var yarnrcRegistry = regexp.MustCompile(`^\s*(npmRegistryServer|registry)\s*:?\s*["']?([^"'\s#]+)`)

// parseYarnrc reads npmRegistryServer settings of .yarnrc.yml (top level
// and per scope) and the registry of a classic .yarnrc.
func parseYarnrc(b []byte) (Manifest, error) {
	var m Manifest
	for i, raw := range splitLines(hasBOM(b)) {
		if mm := yarnrcRegistry.FindStringSubmatch(raw); mm != nil {
			m.Bypasses = append(m.Bypasses, Bypass{Line: i + 1, What: "yarn " + mm[1] + " " + redactURL(mm[2]), URL: mm[2]})
		}
	}
	return m, nil
}

func sortedKeys[V any](mp map[string]V) []string {
	out := make([]string, 0, len(mp))
	for k := range mp {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

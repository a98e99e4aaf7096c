package imports

import (
	"path"
	"slices"
)

// scopeIndex answers, for a code file, which declarations it may rely on.
// In a monorepo (npm/pnpm/yarn workspaces, several Python projects) each
// file belongs to the project of the nearest project root above it (a
// directory with a package.json naming a package or declaring
// dependencies; with a pyproject.toml project, setup.py, setup.cfg,
// Pipfile or requirements file). That project's declarations — and those
// of manifests between the file and its root — are the file's own. The
// declarations of projects further up (a workspace root's package.json, a
// repository-wide requirements file) count only for tests and tooling:
// hoisting makes them resolvable in npm and Yarn classic workspaces, but
// pnpm's isolated node_modules, Yarn PnP, a published package and a
// deployed project do not have them. A file with no project root above
// it is compared with every manifest of the repository.
type scopeIndex struct {
	dirs        map[string]map[string]*dirDecls // ecosystem → project directory → declarations
	fileSets    map[string]*declSet             // manifest path → what it declares (production and development)
	files       map[string][]string             // ecosystem → manifest paths
	selfNames   map[string]string               // npm package name of the repository → its package.json
	pySelf      *declSet                        // the repository's Python project names
	anyCompared map[string]bool
	cache       map[string]*fileScope
}

type dirDecls struct {
	prod, dev   *declSet
	self        map[string]bool
	project     bool
	compared    bool
	projectFile string // the first manifest making the directory a project root
}

// fileScope is what the files of one directory may rely on.
type fileScope struct {
	prod, dev *declSet // their own project's
	anc       *declSet // projects above (tests and tooling only)
	// self are the package names of their own project (a package may
	// import itself); ancSelf those of projects above.
	self, ancSelf map[string]bool
	compared      bool
	ownFile       string   // their project's manifest ("" when not scoped)
	ancManifests  []string // manifests of projects above
}

func newScopeIndex(deps []Dependency, manifests []Manifest) *scopeIndex {
	x := &scopeIndex{
		dirs: map[string]map[string]*dirDecls{"pypi": {}, "npm": {}}, fileSets: map[string]*declSet{},
		files: map[string][]string{}, selfNames: map[string]string{}, pySelf: newDeclSet(),
		anyCompared: map[string]bool{}, cache: map[string]*fileScope{},
	}
	at := func(eco, dir string) *dirDecls {
		if x.dirs[eco] == nil {
			x.dirs[eco] = map[string]*dirDecls{}
		}
		d := x.dirs[eco][dir]
		if d == nil {
			d = &dirDecls{prod: newDeclSet(), dev: newDeclSet(), self: map[string]bool{}}
			x.dirs[eco][dir] = d
		}
		return d
	}
	for _, m := range manifests {
		d := at(m.Ecosystem, m.Dir)
		if m.Project {
			d.project = true
			if d.projectFile == "" {
				d.projectFile = m.Path
			}
		}
		d.compared = d.compared || m.Compared
		x.anyCompared[m.Ecosystem] = x.anyCompared[m.Ecosystem] || m.Compared
		x.files[m.Ecosystem] = append(x.files[m.Ecosystem], m.Path)
		x.fileSets[m.Path] = newDeclSet()
	}
	for _, dep := range deps {
		d := at(dep.Ecosystem, dep.Dir)
		switch {
		case dep.Self && dep.Ecosystem == "npm":
			d.self[dep.Name] = true
			if _, ok := x.selfNames[dep.Name]; !ok {
				x.selfNames[dep.Name] = dep.File
			}
			continue
		case dep.Self:
			// Python projects of the repository import each other by
			// module name, which the local-module check covers; a
			// declaration by project name is no dependency to report.
			x.pySelf.add(dep.Ecosystem, dep.Name)
			continue
		case dep.Dev:
			d.dev.add(dep.Ecosystem, dep.Name)
		default:
			d.prod.add(dep.Ecosystem, dep.Name)
		}
		if fs := x.fileSets[dep.File]; fs != nil {
			fs.add(dep.Ecosystem, dep.Name)
		} else if dep.File != "" {
			fs = newDeclSet()
			fs.add(dep.Ecosystem, dep.Name)
			x.fileSets[dep.File] = fs
			x.files[dep.Ecosystem] = append(x.files[dep.Ecosystem], dep.File)
		}
	}
	for eco := range x.files {
		slices.Sort(x.files[eco])
		x.files[eco] = slices.Compact(x.files[eco])
	}
	return x
}

// scopeOf is what a code file of an ecosystem may rely on.
func (x *scopeIndex) scopeOf(eco, file string) *fileScope {
	dir := path.Dir(file)
	if dir == "." {
		dir = ""
	}
	key := eco + "\x00" + dir
	if sc, ok := x.cache[key]; ok {
		return sc
	}
	var chain []string // the file's directory up to the root
	for d := dir; ; d = path.Dir(d) {
		if d == "." || d == "/" {
			d = ""
		}
		chain = append(chain, d)
		if d == "" {
			break
		}
	}
	root := -1
	for i, d := range chain {
		if dd := x.dirs[eco][d]; dd != nil && dd.project {
			root = i
			break
		}
	}
	if root < 0 {
		// Every directory without a project root above shares one scope.
		fk := eco + "\x00\x00repository"
		if sc, ok := x.cache[fk]; ok {
			x.cache[key] = sc
			return sc
		}
		key = fk
	}
	sc := &fileScope{prod: newDeclSet(), dev: newDeclSet(), anc: newDeclSet(), self: map[string]bool{}, ancSelf: map[string]bool{}}
	if root < 0 {
		// No project root above: every manifest of the repository.
		sc.compared = x.anyCompared[eco]
		for _, dd := range x.dirs[eco] {
			sc.prod.addAll(dd.prod)
			sc.dev.addAll(dd.dev)
			for n := range dd.self {
				sc.self[n] = true
			}
		}
	} else {
		sc.ownFile = x.dirs[eco][chain[root]].projectFile
		for i, d := range chain {
			dd := x.dirs[eco][d]
			if dd == nil {
				continue
			}
			if i <= root {
				sc.compared = sc.compared || dd.compared
				sc.prod.addAll(dd.prod)
				sc.dev.addAll(dd.dev)
				for n := range dd.self {
					sc.self[n] = true
				}
				continue
			}
			sc.anc.addAll(dd.prod)
			sc.anc.addAll(dd.dev)
			for n := range dd.self {
				sc.ancSelf[n] = true
			}
			for _, f := range x.files[eco] {
				if manifestIn(f, d) {
					sc.ancManifests = append(sc.ancManifests, f)
				}
			}
		}
	}
	if eco == "pypi" {
		sc.prod.addAll(x.pySelf)
	}
	x.cache[key] = sc
	return sc
}

// manifestIn: a manifest path declares for directory d (its own directory,
// or d/requirements/).
func manifestIn(f, d string) bool {
	md := path.Dir(f)
	if md == "." {
		md = ""
	}
	if md == d {
		return true
	}
	return path.Base(md) == "requirements" && (path.Dir(md) == d || d == "" && path.Dir(md) == ".")
}

// ancFiles lists the manifests above a file's project that satisfy pred.
func (sc *fileScope) ancFiles(pred func(file string) bool) []string {
	var out []string
	for _, f := range sc.ancManifests {
		if pred(f) {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		out = []string{"a manifest"}
	}
	return out
}

func (sc *fileScope) ownFileOr(def string) string {
	if sc.ownFile != "" {
		return sc.ownFile
	}
	return def
}

// declaringFiles lists (at most three) manifests of the repository that
// declare what pred accepts.
func (x *scopeIndex) declaringFiles(eco string, pred func(*declSet) bool) []string {
	var out []string
	for _, f := range x.files[eco] {
		if pred(x.fileSets[f]) {
			out = append(out, f)
			if len(out) == 3 {
				break
			}
		}
	}
	return out
}

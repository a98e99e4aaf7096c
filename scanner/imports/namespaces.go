package imports

import (
	"regexp"
	"strings"
)

// pyTarget is what one Python import needs installed: a top-level package,
// or for an import below a namespace package (google.cloud, azure,
// backports) the namespace's sub-package, which its own distribution
// provides.
type pyTarget struct {
	// key names the target in findings and de-duplicates it per file:
	// "yaml", "google.cloud.bigquery".
	key string
	// module is the whole module path the import names.
	module string
	// ns is the namespace the module lies below ("" for a regular
	// top-level package).
	ns string
	// bare marks an import of the namespace itself (`import google.cloud`):
	// any distribution of the namespace provides it.
	bare bool
}

// pythonTargets resolves an import to what it needs installed. A
// from-import of a namespace (`from google.cloud import bigquery,
// storage`) needs each named sub-package.
func (t *Tables) pythonTargets(imp Import) []pyTarget {
	mod := imp.Module
	if mod == "" {
		mod = imp.Name
	}
	if t.namespaceOf(mod) == "" && !t.isNamespace(mod) {
		return []pyTarget{{key: imp.Name, module: imp.Name}}
	}
	mods := []string{mod}
	if t.isNamespace(mod) && len(imp.Members) > 0 {
		mods = mods[:0]
		for _, m := range imp.Members {
			mods = append(mods, mod+"."+m)
		}
	}
	out := make([]pyTarget, 0, len(mods))
	for _, m := range mods {
		if t.isNamespace(m) {
			out = append(out, pyTarget{key: m, module: m, ns: m, bare: true})
			continue
		}
		ns := t.namespaceOf(m)
		key := ns + "." + strings.SplitN(m[len(ns)+1:], ".", 2)[0]
		if k, _ := t.explicitDists(m, ns); len(k) > len(key) {
			key = k
		}
		out = append(out, pyTarget{key: key, module: m, ns: ns})
	}
	return out
}

func (t *Tables) isNamespace(mod string) bool {
	_, ok := t.PythonNamespaces[mod]
	return ok
}

// namespaceOf is the deepest namespace package strictly above a module
// ("" when none).
func (t *Tables) namespaceOf(mod string) string {
	for i := strings.LastIndexByte(mod, '.'); i > 0; i = strings.LastIndexByte(mod[:i], '.') {
		if t.isNamespace(mod[:i]) {
			return mod[:i]
		}
	}
	return ""
}

// explicitDists is the longest python-imports.txt key covering a module
// below a namespace (google.protobuf.json_format → google.protobuf →
// protobuf), with its distributions.
func (t *Tables) explicitDists(mod, ns string) (string, []string) {
	for k := mod; len(k) > len(ns); {
		if ds, ok := t.PythonDists[k]; ok {
			return k, ds
		}
		i := strings.LastIndexByte(k, '.')
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return "", nil
}

// apiVersion is a trailing API version of a Google-style sub-package
// (pubsub_v1, bigquery_storage_v1beta2, v2alpha).
var apiVersion = regexp.MustCompile(`(^|_)v\d+(p\d+)?((alpha|beta)\d*)?$`)

// derivedNames are the distribution names a namespaced module's path
// suggests, most specific first, as alphanumerics only:
// google.cloud.workflows.executions_v1 → googlecloudworkflowsexecutions,
// googlecloudworkflows.
func (t *Tables) derivedNames(mod, ns string) []string {
	prefix := alnumOnly(t.PythonNamespaces[ns])
	parts := strings.Split(mod[len(ns)+1:], ".")
	out := make([]string, 0, len(parts))
	for j := len(parts); j > 0; j-- {
		var b strings.Builder
		b.WriteString(prefix)
		for _, p := range parts[:j] {
			b.WriteString(alnumOnly(apiVersion.ReplaceAllString(p, "")))
		}
		out = append(out, b.String())
	}
	return out
}

// reportedDist is the distribution to name for an undeclared namespaced
// target: python-imports.txt's, or the namespace prefix and the
// sub-package (google.cloud.error_reporting → google-cloud-error-reporting).
func (t *Tables) reportedDist(tg pyTarget) string {
	if tg.ns == "" {
		return ""
	}
	if _, ds := t.explicitDists(tg.module, tg.ns); len(ds) > 0 {
		return ds[0]
	}
	if tg.bare {
		return ""
	}
	sub := strings.SplitN(tg.module[len(tg.ns)+1:], ".", 2)[0]
	sub = strings.Trim(apiVersion.ReplaceAllString(sub, ""), "_")
	return t.PythonNamespaces[tg.ns] + strings.ReplaceAll(sub, "_", "-")
}

func alnumOnly(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// declSet is a set of declared distributions in the forms DEP-006 compares:
// as declared (npm), PEP 503-normalised and alphanumerics only (PyPI).
type declSet struct {
	names map[string]bool
	alnum map[string]bool
}

func newDeclSet() *declSet { return &declSet{names: map[string]bool{}, alnum: map[string]bool{}} }

func (s *declSet) add(eco, name string) {
	n := normalize(eco, name)
	s.names[n] = true
	if eco == "pypi" {
		s.alnum[alnumOnly(n)] = true
	}
}

func (s *declSet) addAll(o *declSet) {
	for n := range o.names {
		s.names[n] = true
	}
	for n := range o.alnum {
		s.alnum[n] = true
	}
}

// declaredNamespaced reports whether a namespaced target is covered by the
// declared set: its distribution (python-imports.txt's, or one named after
// the module path below the namespace), or a declared distribution that
// requires it.
func (a *Analyzer) declaredNamespaced(tg pyTarget, set *declSet) bool {
	t := a.opts.Tables
	if tg.bare {
		p := alnumOnly(t.PythonNamespaces[tg.ns])
		for d := range set.alnum {
			if strings.HasPrefix(d, p) {
				return true
			}
		}
		return false
	}
	if _, ds := t.explicitDists(tg.module, tg.ns); len(ds) > 0 {
		for _, d := range ds {
			if set.names[normalize("pypi", d)] {
				return true
			}
		}
	}
	for _, n := range t.derivedNames(tg.module, tg.ns) {
		if set.alnum[n] {
			return true
		}
	}
	// Brought by a declared distribution: any enclosing module path below
	// the namespace (google.cloud.exceptions.NotFound ← google-cloud-storage).
	for k := tg.module; len(k) > len(tg.ns); {
		for _, d := range t.PythonBroughtBy[k] {
			if set.names[normalize("pypi", d)] {
				return true
			}
		}
		for _, fam := range t.PythonBroughtByFamily {
			if fam.Imports[k] && set.hasPrefix(fam.Prefix) {
				return true
			}
		}
		i := strings.LastIndexByte(k, '.')
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return false
}

func (s *declSet) hasPrefix(p string) bool {
	for n := range s.names {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return false
}

// Package imports raises DEP-006: source code importing a package that no
// manifest of the project declares — the slopsquat a coding agent imports
// without declaring. It extracts Python and JavaScript/TypeScript imports
// from the syntax tree, drops the standard library, Node built-ins, local
// modules and path aliases, maps import names to distribution names (below
// namespace packages, to the sub-package's distribution), and compares with
// the dependencies the file's own project declares (in a monorepo, the
// nearest project root above the file; see scope.go). Dev dependencies
// count for tests and tooling, and production code importing a dev-only
// dependency, or one only a project above declares, is its own finding.
package imports

import (
	"bufio"
	"embed"
	"strings"

	"github.com/vigil-proxy/vigil-proxy/scanner/treesitter"
)

//go:embed data/*.txt
var data embed.FS

// Import is one imported top-level module or package.
type Import struct {
	Name string // Python: top-level module; JS: package name (with scope)
	// Module is the whole dotted module path (Python: google.cloud.bigquery
	// for `import google.cloud.bigquery`); Members are the names a
	// from-import takes from it (`from google.cloud import bigquery`),
	// which may be sub-modules: namespace packages are resolved with them.
	Module  string
	Members []string
	Line    int
	Col     int
	// Optional marks imports guarded by try/except ImportError or inside
	// `if TYPE_CHECKING:` (Python), and type-only imports (TypeScript).
	Optional bool
}

// PythonImports lists a module's absolute imports (relative imports are
// local by definition).
func PythonImports(root treesitter.Node) []Import {
	var out []Import
	var walk func(n treesitter.Node, optional bool)
	walk = func(n treesitter.Node, optional bool) {
		switch n.Kind() {
		case "import_statement":
			for _, c := range n.NamedChildren() {
				name := c
				if c.Kind() == "aliased_import" {
					name = c.Field("name")
				}
				if name.Kind() == "dotted_name" {
					mod := dottedText(name.Text())
					out = append(out, Import{Name: topLevel(mod), Module: mod, Line: n.Line(), Col: n.Column(), Optional: optional})
				}
			}
			return
		case "import_from_statement":
			mod := n.Field("module_name")
			if mod.Kind() == "dotted_name" {
				if m := dottedText(mod.Text()); topLevel(m) != "__future__" {
					out = append(out, Import{Name: topLevel(m), Module: m, Members: fromMembers(n), Line: n.Line(), Col: n.Column(), Optional: optional})
				}
			}
			return
		case "try_statement":
			guarded := false
			for _, c := range n.NamedChildren() {
				if c.Kind() == "except_clause" {
					t := c.Text()
					if strings.Contains(t, "ImportError") || strings.Contains(t, "ModuleNotFoundError") || broadExcept(t) {
						guarded = true
					}
				}
			}
			for _, c := range n.NamedChildren() {
				walk(c, optional || guarded)
			}
			return
		case "if_statement":
			cond := n.Field("condition").Text()
			typeOnly := strings.Contains(cond, "TYPE_CHECKING")
			for i := 0; i < n.NamedChildCount(); i++ {
				c := n.NamedChild(i)
				walk(c, optional || (typeOnly && n.FieldNameOfChild(indexOfNamed(n, i)) == "consequence"))
			}
			return
		case "string", "comment":
			return
		}
		for c := n.NamedChild(0); !c.IsNull(); c = c.NextNamedSibling() {
			walk(c, optional)
		}
	}
	walk(root, false)
	return out
}

// broadExcept: a bare `except:` or one catching Exception or
// BaseException, which an ImportError is too.
func broadExcept(clause string) bool {
	head, _, _ := strings.Cut(strings.TrimSpace(strings.TrimPrefix(clause, "except")), ":")
	head = strings.TrimSpace(head)
	if head == "" {
		return true
	}
	head, _, _ = strings.Cut(head, " as ")
	for _, t := range strings.Split(strings.Trim(strings.TrimSpace(head), "()"), ",") {
		switch strings.TrimSpace(t) {
		case "Exception", "BaseException":
			return true
		}
	}
	return false
}

// indexOfNamed converts a named-child index into a child index.
func indexOfNamed(n treesitter.Node, named int) int {
	k := -1
	for i := 0; i < n.ChildCount(); i++ {
		if n.Child(i).IsNamed() {
			k++
			if k == named {
				return i
			}
		}
	}
	return -1
}

// fromMembers lists the names a from-import takes (`from a import b, c as
// d` → b, c); none for `import *`.
func fromMembers(n treesitter.Node) []string {
	var out []string
	for i := 0; i < n.ChildCount(); i++ {
		if n.FieldNameOfChild(i) != "name" {
			continue
		}
		c := n.Child(i)
		if c.Kind() == "aliased_import" {
			c = c.Field("name")
		}
		if c.Kind() == "dotted_name" {
			out = append(out, dottedText(c.Text()))
		}
	}
	return out
}

// dottedText drops the spaces a dotted name may hold (`a . b`).
func dottedText(s string) string { return strings.Join(strings.Fields(s), "") }

func topLevel(dotted string) string {
	dotted = dottedText(dotted)
	if i := strings.IndexByte(dotted, '.'); i >= 0 {
		return dotted[:i]
	}
	return dotted
}

// JSImports lists a JavaScript/TypeScript module's bare-specifier imports:
// import/export … from, side-effect imports, require() and import().
func JSImports(root treesitter.Node) []Import {
	var out []Import
	add := func(spec treesitter.Node, at treesitter.Node, typeOnly bool) {
		s := stringValue(spec)
		if name, ok := PackageName(s); ok {
			out = append(out, Import{Name: name, Module: name, Line: at.Line(), Col: at.Column(), Optional: typeOnly})
		}
	}
	root.Walk(func(n treesitter.Node) bool {
		switch n.Kind() {
		case "import_statement", "export_statement":
			src := n.Field("source")
			if !src.IsNull() {
				typeOnly := false
				for i := 0; i < n.ChildCount(); i++ {
					if c := n.Child(i); c.Kind() == "type" || c.Text() == "type" {
						typeOnly = true
					}
				}
				add(src, n, typeOnly)
			}
			return n.Kind() == "export_statement"
		case "call_expression":
			fn := n.Field("function")
			if fn.Text() == "require" || fn.Kind() == "import" {
				args := n.Field("arguments")
				if a := args.NamedChild(0); a.Kind() == "string" && args.NamedChildCount() == 1 {
					// try { require('x') } catch {}: an optional dependency
					add(a, n, inTryBody(n))
				}
			}
		}
		return true
	})
	return out
}

// inTryBody reports whether n lies in the block of a try statement (not
// in its catch or finally), inside the same function.
func inTryBody(n treesitter.Node) bool {
	for child, p := n, n.Parent(); !p.IsNull(); child, p = p, p.Parent() {
		switch p.Kind() {
		case "try_statement":
			if body := p.Field("body"); !body.IsNull() && body.StartByte() == child.StartByte() && body.EndByte() == child.EndByte() {
				return true
			}
		case "function_declaration", "function_expression", "arrow_function", "method_definition", "generator_function_declaration":
			return false
		}
	}
	return false
}

func stringValue(n treesitter.Node) string {
	if n.Kind() != "string" {
		return ""
	}
	return strings.Trim(n.Text(), "'\"`")
}

// PackageName turns a module specifier into the npm package it names:
// "lodash/fp" → "lodash", "@scope/pkg/sub" → "@scope/pkg". Relative and
// absolute paths, URLs, node: built-ins, subpath imports (#x) and
// bundler-specific schemes are not packages.
func PackageName(spec string) (string, bool) {
	if spec == "" || strings.HasPrefix(spec, ".") || strings.HasPrefix(spec, "/") || strings.HasPrefix(spec, "#") ||
		strings.HasPrefix(spec, "~") || strings.Contains(spec, ":") || strings.ContainsAny(spec, " \\{}$") {
		return "", false
	}
	parts := strings.Split(spec, "/")
	if strings.HasPrefix(spec, "@") {
		if len(parts) < 2 || parts[1] == "" || parts[0] == "@" {
			return "", false
		}
		return parts[0] + "/" + parts[1], true
	}
	return parts[0], true
}

// lines reads one of the embedded data files (comments and blanks
// skipped).
func lines(name string) []string {
	f, err := data.Open("data/" + name)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// Tables are the shipped lists: Python standard library, Node built-ins and
// the import → distribution map.
type Tables struct {
	PythonStdlib map[string]bool
	NodeBuiltins map[string]bool
	// PythonDists maps an import name to the distributions that provide it.
	PythonDists map[string][]string
	// PythonBroughtBy maps an import name to the distributions that
	// require the one providing it (starlette ← fastapi): installed with
	// them.
	PythonBroughtBy map[string][]string
	// PythonBroughtByFamily holds the same for distribution families
	// ("google-cloud-*": every Google Cloud client brings google.api_core).
	PythonBroughtByFamily []Family
	// PythonNamespaces maps a namespace package (google.cloud, azure,
	// backports) to the prefix of its distributions' names
	// ("google-cloud-", "apache-airflow-providers-" for airflow.providers).
	PythonNamespaces map[string]string
}

// Family is a distribution name pattern ending in * and the import names
// every distribution it matches brings.
type Family struct {
	Prefix  string // normalised, without the *
	Imports map[string]bool
}

// LoadTables parses the embedded data files.
func LoadTables() *Tables {
	t := &Tables{PythonStdlib: map[string]bool{}, NodeBuiltins: map[string]bool{}, PythonDists: map[string][]string{},
		PythonBroughtBy: map[string][]string{}, PythonNamespaces: map[string]string{}}
	for _, l := range lines("python-namespaces.txt") {
		f := strings.Fields(l)
		prefix := strings.ReplaceAll(f[0], ".", "-") + "-"
		if len(f) > 1 {
			prefix = f[1]
		}
		t.PythonNamespaces[f[0]] = normalize("pypi", prefix)
	}
	for _, l := range lines("python-stdlib.txt") {
		t.PythonStdlib[l] = true
	}
	for _, l := range lines("node-builtins.txt") {
		t.NodeBuiltins[l] = true
	}
	for _, l := range lines("python-imports.txt") {
		f := strings.Fields(l)
		if len(f) >= 2 {
			t.PythonDists[f[0]] = append(t.PythonDists[f[0]], f[1:]...)
		}
	}
	for _, l := range lines("python-requires.txt") {
		f := strings.Fields(l)
		if prefix, ok := strings.CutSuffix(f[0], "*"); ok {
			fam := Family{Prefix: normalize("pypi", prefix), Imports: map[string]bool{}}
			for _, imp := range f[1:] {
				fam.Imports[imp] = true
			}
			t.PythonBroughtByFamily = append(t.PythonBroughtByFamily, fam)
			continue
		}
		for _, imp := range f[1:] {
			t.PythonBroughtBy[imp] = append(t.PythonBroughtBy[imp], f[0])
		}
	}
	return t
}

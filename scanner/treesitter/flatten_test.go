package treesitter

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusEnv names extra directories (separated by the OS's list separator)
// whose sources TestSubtreeWalkMatchesCursor also compares, e.g. Python's
// standard library or a node_modules tree.
const corpusEnv = "VIGIL_TREESITTER_CORPUS"

// sameNodes parses src with two parsers (configured differently) and
// returns a description of the first difference between their node arrays
// ("" when identical in every field of every node).
func sameNodes(t testing.TB, p, q *Parser, lang Lang, src []byte) string {
	t.Helper()
	a, errA := p.Parse(context.Background(), lang, src)
	b, errB := q.Parse(context.Background(), lang, src)
	if errA != nil || errB != nil {
		if errors.Is(errA, ErrTooComplex) && errors.Is(errB, ErrTooComplex) {
			return ""
		}
		if a != nil {
			a.Close()
		}
		if b != nil {
			b.Close()
		}
		return fmt.Sprintf("parse errors differ: %v and %v", errA, errB)
	}
	defer a.Close()
	defer b.Close()
	if len(a.nodes) != len(b.nodes) {
		return fmt.Sprintf("%d nodes against %d", len(a.nodes), len(b.nodes))
	}
	for i := range a.nodes {
		if a.nodes[i] != b.nodes[i] {
			return fmt.Sprintf("node %d (%s): %+v against %+v", i, Node{t: b, i: int32(i)}.Kind(), a.nodes[i], b.nodes[i])
		}
	}
	return ""
}

// compareOnCorpus runs sameNodes on every Python, JavaScript and TypeScript
// file of the repository (the scanner's fixtures among them) and of the
// directories named by VIGIL_TREESITTER_CORPUS.
func compareOnCorpus(t *testing.T, p, q *Parser) {
	roots := []string{moduleRoot(t)}
	if extra := os.Getenv(corpusEnv); extra != "" {
		roots = append(roots, filepath.SplitList(extra)...)
	}
	files, nodes := 0, 0
	for _, root := range roots {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == ".git" {
					return filepath.SkipDir
				}
				return nil
			}
			lang := LangForPath(path)
			if lang == None || !d.Type().IsRegular() {
				return nil
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("read %s: %w", path, err)
			}
			if diff := sameNodes(t, p, q, lang, src); diff != "" {
				t.Errorf("%s: %s", path, diff)
			}
			files++
			tree, err := p.Parse(context.Background(), lang, src)
			if err == nil {
				nodes += tree.NodeCount()
				tree.Close()
			}
			return nil
		})
		if err != nil {
			t.Fatalf("walk %s: %v", root, err)
		}
	}
	t.Logf("%d files, %d nodes compared", files, nodes)
	if files < 100 {
		t.Fatalf("only %d source files found under %v; the comparison needs the repository's fixtures", files, roots)
	}
}

// moduleRoot is the directory holding go.mod, above this package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("no go.mod above the package directory")
		}
		dir = up
	}
}

// The direct subtree walk must give exactly the cursor walk's node array
// (every field of every node) on every file of the corpus (compareOnCorpus).
func TestSubtreeWalkMatchesCursor(t *testing.T) {
	direct := NewParser()
	defer direct.Close()
	cursor := NewParser()
	defer cursor.Close()
	cursor.cursor = true

	compareOnCorpus(t, direct, cursor)
}

// This package's copy of the runtime (runtime.c: one translation unit,
// reference counts without atomic instructions) must build exactly the
// trees that go-tree-sitter's compiled runtime builds, on the same corpus.
func TestOwnRuntimeMatchesBinding(t *testing.T) {
	own := NewParser()
	defer own.Close()
	binding := NewParser()
	defer binding.Close()
	binding.binding = true
	compareOnCorpus(t, own, binding)
}

// Constructs whose flattening depends on what the cursor derives on the
// way: aliased nodes, fields reached through hidden nodes, extras
// (comments) between fields, syntax errors, MISSING nodes, empty input,
// and every grammar; also parsed by go-tree-sitter's runtime.
func TestSubtreeWalkMatchesCursorOnEdgeCases(t *testing.T) {
	direct := NewParser()
	defer direct.Close()
	cursor := NewParser()
	defer cursor.Close()
	cursor.cursor = true
	binding := NewParser()
	defer binding.Close()
	binding.binding = true
	cases := []struct {
		lang Lang
		src  string
	}{
		{Python, ""},
		{Python, "# only a comment\n"},
		{Python, "def f(a, # c\n  b: int = 2, *args, **kw) -> int:\n    return a  # tail\n"},
		{Python, "print >> sys.stderr, 'x'\nexec 'code'\n"},
		{Python, "match x:\n    case [1, *rest] if rest:\n        pass\n    case {'k': v, **kw}:\n        pass\n"},
		{Python, "x = (yield)\nasync def g():\n    async with a as b, c as d:\n        await e\n"},
		{Python, "f'{a!r:>{width}} {b=}'\nr'\\d' b'\\x00' u'x'\n"},
		{Python, "def f(:\n  pass\nclass"},
		{Python, "if a:\n\tb\n        c\n"},
		{Python, "lambda: (yield)\n[*a, *b] = c\nx: list[int] = []\n"},
		// characters no token starts with: the lexer's error tokens and
		// error recovery, with the dense parse tables (dense.c)
		{Python, "x = 1 $ 2\n?y\nclass A:\n  def f(self): return \x01 ! b\n"},
		{JavaScript, "let a = 1 # 2; f(@@); \x01 { b: ` } \x7f\n"},
		{TSX, "const x = <A \x01>{$}</A>; \\ y\n"},
		{JavaScript, "const {a, b: [c, d] = [], ...e} = f; // c\n"},
		{JavaScript, "class A extends B { static #p = 1; get x() { return this.#p } }\n"},
		{JavaScript, "label: for (const k in o) { if (k) continue label; }\n"},
		{JavaScript, "const x = <div a=\"b\" {...c}>{d}<e.f /></div>;\n"},
		{JavaScript, "a = `x${b}y${`z${c}`}`; /re[/]g/.test(s)\n"},
		{JavaScript, "function f( {\n  return\n}\nlet"},
		{JavaScript, "export default async function* g() { yield* h(); }\nimport x, {y as z} from 'm'\n"},
		{TypeScript, "abstract class A<T extends B = C> implements D { private readonly x?: T; constructor(public y: number) { super(); } }\n"},
		{TypeScript, "type F = <T,>(a: T) => a is string; enum E { A = 1, B }\ndeclare module 'm' { export = x }\n"},
		{TypeScript, "let a = <T>b; let c = d as unknown as E; let f = g!;\nfunction h(this: Window, ...r: any[]): asserts r {}\n"},
		{TSX, "const C = <T,>(p: P<T>) => <div onClick={() => p.f?.(1)}>{p.c ?? 'x'}</div>;\n"},
		{TSX, "export const X: React.FC = () => { return <><A/>{/* c */}</> }\n"},
	}
	for _, c := range cases {
		if diff := sameNodes(t, direct, cursor, c.lang, []byte(c.src)); diff != "" {
			t.Errorf("%v %q: subtree walk against cursor walk: %s", c.lang, c.src, diff)
		}
		if diff := sameNodes(t, direct, binding, c.lang, []byte(c.src)); diff != "" {
			t.Errorf("%v %q: own runtime against go-tree-sitter's: %s", c.lang, c.src, diff)
		}
	}
	// The cases must reach what they are meant to: an error, an extra and a
	// field under a hidden node are all present somewhere.
	var sawError, sawComment, sawField bool
	for _, c := range cases {
		tree, err := direct.Parse(context.Background(), c.lang, []byte(c.src))
		if err != nil {
			t.Fatalf("parse %q: %v", c.src, err)
		}
		tree.Root().Walk(func(n Node) bool {
			sawError = sawError || n.Kind() == "ERROR" || (n.HasError() && n.ChildCount() == 0)
			sawComment = sawComment || strings.Contains(n.Kind(), "comment")
			sawField = sawField || n.v().field != 0
			return true
		})
		tree.Close()
	}
	if !sawError || !sawComment || !sawField {
		t.Fatalf("edge cases reach error=%v comment=%v field=%v, want all", sawError, sawComment, sawField)
	}
}

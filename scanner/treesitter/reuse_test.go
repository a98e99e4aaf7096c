package treesitter

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// dump renders every node of a tree with its kind, range, position, field
// name and relatives, so that two trees can be compared exactly.
func dump(t *Tree) []string {
	var out []string
	var visit func(n Node, field string)
	visit = func(n Node, field string) {
		out = append(out, fmt.Sprintf("%s named=%v err=%v [%d,%d) %d:%d-%d:%d parent=%d field=%q children=%d/%d",
			n.Kind(), n.IsNamed(), n.HasError(), n.StartByte(), n.EndByte(), n.Line(), n.Column(), n.EndLine(), n.EndColumn(),
			n.Parent().StartByte(), field, n.ChildCount(), n.NamedChildCount()))
		k := 0
		for c := n.Child(0); !c.IsNull(); c = nextSibling(c) {
			visit(c, n.FieldNameOfChild(k))
			k++
		}
	}
	visit(t.Root(), "")
	return out
}

// nextSibling steps to the next child, punctuation included.
func nextSibling(n Node) Node {
	i := n.v().next_sibling
	return n.at(i)
}

func parseDump(t *testing.T, p *Parser, lang Lang, src string) []string {
	t.Helper()
	tree, err := p.Parse(context.Background(), lang, []byte(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	defer tree.Close()
	return dump(tree)
}

// A parser reuses the node array of the tree closed last and the arena's
// memory of the parse before: the next tree, smaller or larger, must be
// exactly what tree-sitter builds with libc's allocator. "huge" needs more
// arena chunks than are kept between parses.
func TestReusedNodeArrayGivesTheSameTree(t *testing.T) {
	small := "import jwt\nTOKEN = jwt.encode({'a': 1}, 'k')\n"
	large := strings.Repeat("def f(a, b=2):\n    if a == b:\n        return [x for x in range(a)]\n    return {'k': a}\n", 400)
	huge := strings.Repeat("def f(a, b=2):\n    if a == b:\n        return [x for x in range(a)]\n    return {'k': a, 'l': \"\"\"s\n\"\"\"}\n", 2000)
	js := strings.Repeat("const x = require('y');\napp.get('/a', (req, res) => { res.send(req.user.id === 3); });\n", 300)
	want := map[string][]string{}
	for name, c := range map[string]struct {
		lang Lang
		src  string
	}{"small": {Python, small}, "large": {Python, large}, "huge": {Python, huge}, "js": {JavaScript, js}} {
		plain := NewParser()
		plain.plain = true
		want[name] = parseDump(t, plain, c.lang, c.src)
		plain.Close()
	}
	p := NewParser()
	defer p.Close()
	for _, step := range []struct {
		name string
		lang Lang
		src  string
	}{{"large", Python, large}, {"small", Python, small}, {"huge", Python, huge}, {"js", JavaScript, js}, {"large", Python, large},
		{"huge", Python, huge}, {"small", Python, small}} {
		got := parseDump(t, p, step.lang, step.src)
		t.Logf("%s: arena keeps %d bytes", step.name, p.arenaSize())
		if slices.Equal(want[step.name], got) {
			continue
		}
		t.Fatalf("%s after reuse differs from libc's parse (-libc +reused):\n%s", step.name, cmp.Diff(want[step.name], got))
	}
}

// Two trees of one parser may be open at once; each keeps its own nodes.
func TestTwoOpenTrees(t *testing.T) {
	p := NewParser()
	defer p.Close()
	a, err := p.Parse(context.Background(), Python, []byte("a = 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Parse(context.Background(), Python, []byte("def g():\n    return 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Root().NamedChild(0).Text(); got != "a = 1" {
		t.Errorf("first tree's statement = %q, want %q", got, "a = 1")
	}
	a.Close()
	c, err := p.Parse(context.Background(), Python, []byte("x = [1, 2]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Root().NamedChild(0).Field("name").Text(); got != "g" {
		t.Errorf("second tree's function name = %q, want g", got)
	}
	if got := c.Root().NamedChild(0).Kind(); got != "expression_statement" {
		t.Errorf("third tree's statement kind = %q, want expression_statement", got)
	}
	b.Close()
	c.Close()
}

// A tree may be closed after its parser.
func TestTreeClosedAfterParser(t *testing.T) {
	p := NewParser()
	tree, err := p.Parse(context.Background(), JavaScript, []byte("let a = b;\n"))
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	if got := tree.Root().Kind(); got != "program" {
		t.Errorf("root kind = %q, want program", got)
	}
	tree.Close()
	tree.Close() // twice is harmless
}

// FuzzParse feeds arbitrary bytes to every grammar through one long-lived
// parser (reusing node arrays, as the scanner's workers do) and checks the
// flattened tree against a fresh parser's, libc's allocator's, the public
// cursor walk's and go-tree-sitter's runtime's, plus its structural
// invariants.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "x = 1", "def f(:\n  pass", "app.get('/', (req, res) => res.send(1))",
		"let a: number = <T>(b)", "<div>{x}</div>", "\xff\xfe\x00", "class A:\n\tdef b(self): return `x`"} {
		for l := Python; l <= TSX; l++ {
			f.Add(uint8(l), []byte(s))
		}
	}
	shared := NewParser()
	f.Cleanup(shared.Close)
	f.Fuzz(func(t *testing.T, l uint8, src []byte) {
		lang := Lang(int(l)%int(TSX) + 1)
		fresh := NewParser()
		defer fresh.Close()
		want := parseDump(t, fresh, lang, string(src))
		got := parseDump(t, shared, lang, string(src))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("reused parser differs (-fresh +reused):\n%s", diff)
		}
		plain := NewParser()
		defer plain.Close()
		plain.plain = true
		if diff := cmp.Diff(parseDump(t, plain, lang, string(src)), got); diff != "" {
			t.Fatalf("the arena's tree differs from libc's (-libc +arena):\n%s", diff)
		}
		cursor := NewParser()
		defer cursor.Close()
		cursor.cursor = true
		if diff := sameNodes(t, shared, cursor, lang, src); diff != "" {
			t.Fatalf("the subtree walk's node array differs from the cursor walk's: %s", diff)
		}
		binding := NewParser()
		defer binding.Close()
		binding.binding = true
		if diff := sameNodes(t, shared, binding, lang, src); diff != "" {
			t.Fatalf("this package's runtime builds another tree than go-tree-sitter's: %s", diff)
		}
		tree, err := shared.Parse(context.Background(), lang, src)
		if err != nil {
			t.Fatal(err)
		}
		defer tree.Close()
		tree.Root().Walk(func(n Node) bool {
			if n.StartByte() > n.EndByte() || n.EndByte() > len(src) {
				t.Fatalf("node %s range [%d,%d) outside the %d-byte source", n.Kind(), n.StartByte(), n.EndByte(), len(src))
			}
			for k := 0; k < n.ChildCount(); k++ {
				if c := n.Child(k); !c.Parent().Equal(n) {
					t.Fatalf("child %d of %s does not name it as parent", k, n.Kind())
				}
			}
			return true
		})
	})
}

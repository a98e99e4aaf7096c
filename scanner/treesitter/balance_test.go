package treesitter

import (
	"context"
	"strings"
	"testing"
)

// This package's runtime does not rebalance repeat nodes (tsruntime/
// README.md), so 100,000 top-level statements hang from a chain of hidden
// nodes 100,000 deep: the flattened tree must still be go-tree-sitter's
// (which rebalances), node for node.
func TestDeepRepeatChain(t *testing.T) {
	own := NewParser()
	defer own.Close()
	binding := NewParser()
	defer binding.Close()
	binding.binding = true
	const statements = 100_000
	for _, c := range []struct {
		lang Lang
		stmt string
	}{{Python, "a\n"}, {JavaScript, "a;\n"}} {
		src := []byte(strings.Repeat(c.stmt, statements))
		if diff := sameNodes(t, own, binding, c.lang, src); diff != "" {
			t.Errorf("%v: own runtime against go-tree-sitter's: %s", c.lang, diff)
		}
		tree, err := own.Parse(context.Background(), c.lang, src)
		if err != nil {
			t.Fatalf("%v: parse: %v", c.lang, err)
		}
		root := tree.Root()
		if got := root.NamedChildCount(); got != statements {
			t.Errorf("%v: root has %d statements, want %d", c.lang, got, statements)
		}
		if last := root.NamedChild(statements - 1); last.Line() != statements || last.Kind() != "expression_statement" {
			t.Errorf("%v: last statement is %s on line %d, want expression_statement on line %d", c.lang, last.Kind(), last.Line(), statements)
		}
		tree.Close()
	}
}

package treesitter

import (
	"context"
	"testing"
)

// Syntax errors produce ERROR nodes whose symbol (ts_builtin_sym_error) is
// outside the language's symbol table: Kind must name them, not panic.
func TestErrorNodeKind(t *testing.T) {
	p := NewParser()
	defer p.Close()
	tree, err := p.Parse(context.Background(), Python, []byte("X = Annotated[User, Depends(\nclass S(BaseSettings):\n  K: str = 'x'"))
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	found := false
	tree.Root().Walk(func(n Node) bool {
		if n.Kind() == "ERROR" {
			found = true
		}
		return true
	})
	if !found {
		t.Fatal("no ERROR node in a tree with a syntax error")
	}
}

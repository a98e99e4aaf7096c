// Package treesitter is the scanner's only contact with tree-sitter (cgo):
// it parses Python and JavaScript/TypeScript sources into syntax trees and
// exposes a small node API, so that rules never import the binding and a
// move to another binding touches this package alone.
//
// Rules of use (see scanner-rules.md §6): a Parser belongs to one goroutine;
// a Tree is read by one goroutine and must be closed; nodes are plain values
// that stay valid until their tree is closed.
package treesitter

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/smacker/go-tree-sitter/javascript"
	"github.com/smacker/go-tree-sitter/python"
	"github.com/smacker/go-tree-sitter/typescript/tsx"
	"github.com/smacker/go-tree-sitter/typescript/typescript"
)

// Lang is a source language the scanner parses.
type Lang int

const (
	None Lang = iota
	Python
	JavaScript
	TypeScript
	TSX
)

func (l Lang) String() string {
	switch l {
	case Python:
		return "python"
	case JavaScript:
		return "javascript"
	case TypeScript:
		return "typescript"
	case TSX:
		return "tsx"
	}
	return "none"
}

// IsJS reports whether l is JavaScript or one of its TypeScript dialects.
func (l Lang) IsJS() bool { return l == JavaScript || l == TypeScript || l == TSX }

// LangForPath picks the language from a file name's extension.
func LangForPath(p string) Lang {
	switch strings.ToLower(path.Ext(p)) {
	case ".py", ".pyi":
		return Python
	case ".js", ".mjs", ".cjs", ".jsx":
		return JavaScript
	case ".ts", ".mts", ".cts":
		if strings.HasSuffix(strings.ToLower(p), ".d.ts") {
			return None // declarations: no code to judge
		}
		return TypeScript
	case ".tsx":
		return TSX
	}
	return None
}

func language(l Lang) *sitter.Language {
	switch l {
	case Python:
		return python.GetLanguage()
	case JavaScript:
		return javascript.GetLanguage()
	case TypeScript:
		return typescript.GetLanguage()
	case TSX:
		return tsx.GetLanguage()
	}
	return nil
}

// ErrTooComplex is returned when a file exceeds the parser's operation limit.
var ErrTooComplex = errors.New("file too complex to parse within the scanner's limits")

// operationLimit bounds the work tree-sitter spends on one file, so that a
// pathological input cannot stall a worker. The unit is tree-sitter's
// internal operation count; ordinary multi-megabyte sources stay far below.
const operationLimit = 200_000_000

// Parser parses sources; it is not safe for concurrent use: give each worker
// its own.
type Parser struct {
	parsers map[Lang]*sitter.Parser
}

// NewParser returns a parser for every supported language.
func NewParser() *Parser { return &Parser{parsers: make(map[Lang]*sitter.Parser, 4)} }

// Parse parses src as lang. The tree keeps a reference to src; the caller
// must not modify it while the tree is in use, and must Close the tree.
func (p *Parser) Parse(ctx context.Context, lang Lang, src []byte) (*Tree, error) {
	sl := language(lang)
	if sl == nil {
		return nil, fmt.Errorf("parse: unsupported language %v", lang)
	}
	sp := p.parsers[lang]
	if sp == nil {
		sp = sitter.NewParser()
		sp.SetLanguage(sl)
		sp.SetOperationLimit(operationLimit)
		p.parsers[lang] = sp
	}
	t, err := sp.ParseCtx(ctx, nil, src)
	if err != nil {
		sp.Reset()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, sitter.ErrOperationLimit) {
			return nil, ErrTooComplex
		}
		return nil, fmt.Errorf("parse %v: %w", lang, err)
	}
	if t == nil {
		return nil, fmt.Errorf("parse %v: no tree", lang)
	}
	return &Tree{t: t, src: src, lang: lang}, nil
}

// Close frees the parsers' C memory.
func (p *Parser) Close() {
	for l, sp := range p.parsers {
		sp.Close()
		delete(p.parsers, l)
	}
}

// Tree is one parsed file.
type Tree struct {
	t    *sitter.Tree
	src  []byte
	lang Lang
}

// Lang is the tree's language.
func (t *Tree) Lang() Lang { return t.lang }

// Source is the parsed text.
func (t *Tree) Source() []byte { return t.src }

// Root is the top node (module / program).
func (t *Tree) Root() Node { return Node{n: t.t.RootNode(), src: t.src} }

// Close frees the tree's C memory; nodes must not be used afterwards.
func (t *Tree) Close() {
	if t != nil && t.t != nil {
		t.t.Close()
		t.t = nil
	}
}

// Node is a syntax node; the zero Node is null and every method on it is
// safe (it has no children, no text and kind "").
type Node struct {
	n   *sitter.Node
	src []byte
}

// IsNull reports whether the node is absent.
func (n Node) IsNull() bool { return n.n == nil }

// Kind is the grammar's node type, e.g. "call" or "string".
func (n Node) Kind() string {
	if n.n == nil {
		return ""
	}
	return n.n.Type()
}

// IsNamed reports whether the node is a named (non-punctuation) node.
func (n Node) IsNamed() bool { return n.n != nil && n.n.IsNamed() }

// HasError reports whether the node's subtree contains a syntax error.
func (n Node) HasError() bool { return n.n != nil && n.n.HasError() }

// Text is the node's source text.
func (n Node) Text() string {
	if n.n == nil {
		return ""
	}
	return string(n.src[n.n.StartByte():n.n.EndByte()])
}

// StartByte and EndByte are the node's byte offsets in the source.
func (n Node) StartByte() int {
	if n.n == nil {
		return 0
	}
	return int(n.n.StartByte())
}

func (n Node) EndByte() int {
	if n.n == nil {
		return 0
	}
	return int(n.n.EndByte())
}

// Line is the 1-based line the node starts on; Column the 1-based byte column.
func (n Node) Line() int {
	if n.n == nil {
		return 0
	}
	return int(n.n.StartPoint().Row) + 1
}

func (n Node) Column() int {
	if n.n == nil {
		return 0
	}
	return int(n.n.StartPoint().Column) + 1
}

// EndLine and EndColumn are the 1-based end position (column exclusive + 1,
// as SARIF wants).
func (n Node) EndLine() int {
	if n.n == nil {
		return 0
	}
	return int(n.n.EndPoint().Row) + 1
}

func (n Node) EndColumn() int {
	if n.n == nil {
		return 0
	}
	return int(n.n.EndPoint().Column) + 1
}

func (n Node) wrap(c *sitter.Node) Node { return Node{n: c, src: n.src} }

// Parent is the enclosing node (null at the root).
func (n Node) Parent() Node {
	if n.n == nil {
		return Node{}
	}
	return n.wrap(n.n.Parent())
}

// ChildCount and Child address every child, punctuation included.
func (n Node) ChildCount() int {
	if n.n == nil {
		return 0
	}
	return int(n.n.ChildCount())
}

func (n Node) Child(i int) Node {
	if n.n == nil || i < 0 || i >= int(n.n.ChildCount()) {
		return Node{}
	}
	return n.wrap(n.n.Child(i))
}

// NamedChildCount and NamedChild address the named children only.
func (n Node) NamedChildCount() int {
	if n.n == nil {
		return 0
	}
	return int(n.n.NamedChildCount())
}

func (n Node) NamedChild(i int) Node {
	if n.n == nil || i < 0 || i >= int(n.n.NamedChildCount()) {
		return Node{}
	}
	return n.wrap(n.n.NamedChild(i))
}

// NamedChildren returns the named children.
func (n Node) NamedChildren() []Node {
	c := n.NamedChildCount()
	out := make([]Node, 0, c)
	for i := range c {
		out = append(out, n.NamedChild(i))
	}
	return out
}

// Field returns the child under a grammar field name, e.g. "function" of a
// call; null when absent.
func (n Node) Field(name string) Node {
	if n.n == nil {
		return Node{}
	}
	return n.wrap(n.n.ChildByFieldName(name))
}

// FieldNameOfChild is the field name of child i ("" when none).
func (n Node) FieldNameOfChild(i int) string {
	if n.n == nil || i < 0 || i >= int(n.n.ChildCount()) {
		return ""
	}
	return n.n.FieldNameForChild(i)
}

// NextNamedSibling and PrevNamedSibling step along the parent's named
// children.
func (n Node) NextNamedSibling() Node {
	if n.n == nil {
		return Node{}
	}
	return n.wrap(n.n.NextNamedSibling())
}

func (n Node) PrevNamedSibling() Node {
	if n.n == nil {
		return Node{}
	}
	return n.wrap(n.n.PrevNamedSibling())
}

// Equal reports whether two nodes are the same node.
func (n Node) Equal(o Node) bool {
	if n.n == nil || o.n == nil {
		return n.n == nil && o.n == nil
	}
	return n.n.Equal(o.n)
}

// Walk visits n and its descendants in source order. fn returns false to
// skip a node's children.
func (n Node) Walk(fn func(Node) bool) {
	if n.n == nil {
		return
	}
	c := sitter.NewTreeCursor(n.n)
	defer c.Close()
	depth := 0
	for {
		descend := fn(n.wrap(c.CurrentNode()))
		if descend && c.GoToFirstChild() {
			depth++
			continue
		}
		for !c.GoToNextSibling() {
			if depth == 0 || !c.GoToParent() {
				return
			}
			depth--
			if depth == 0 {
				return
			}
		}
	}
}

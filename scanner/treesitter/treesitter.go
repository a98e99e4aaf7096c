// Package treesitter is the scanner's only contact with tree-sitter (cgo):
// it parses Python and JavaScript/TypeScript sources and hands rules a small
// node API, so that rules never import a binding and a move to another
// binding touches this package alone.
//
// It uses the grammars compiled by github.com/smacker/go-tree-sitter and its
// own copy of the tree-sitter runtime (runtime.c, tsruntime/: the same
// source, compiled for speed; see tsruntime/README.md). One C call parses a
// file and flattens the whole syntax tree into a Go-readable array by walking
// its subtrees (flatten.c), so walking nodes costs no cgo calls, no
// allocations and no per-node map entries (the binding's Go node wrappers
// cost several of each per access).
//
// Rules of use: a Parser belongs to one goroutine; a Tree must be closed;
// nodes are plain values that stay valid until their tree is closed.
package treesitter

/*
#include <stdint.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <stdio.h>
#include <pthread.h>

// The subset of tree-sitter's api.h (v0.22, the version vendored by
// github.com/smacker/go-tree-sitter) that this package calls. Declaring it
// here lets one C call parse and flatten a whole tree instead of one cgo
// call per node access.
typedef uint16_t TSSymbol;
typedef uint16_t TSFieldId;
typedef struct TSLanguage TSLanguage;
typedef struct TSParser TSParser;
typedef struct TSTree TSTree;
typedef struct TSPoint { uint32_t row; uint32_t column; } TSPoint;
typedef struct TSNode { uint32_t context[4]; const void *id; const TSTree *tree; } TSNode;
typedef struct TSTreeCursor { const void *tree; const void *id; uint32_t context[3]; } TSTreeCursor;

// vruntime is the part of a tree-sitter runtime that vparse calls.
typedef struct {
	TSParser *(*parser_new)(void);
	void (*parser_delete)(TSParser *);
	bool (*set_language)(TSParser *, const TSLanguage *);
	void (*set_timeout_micros)(TSParser *, uint64_t);
	TSTree *(*parse_string)(TSParser *, const TSTree *, const char *, uint32_t);
	void (*tree_delete)(TSTree *);
} vruntime;

// The runtime that github.com/smacker/go-tree-sitter compiles, under the
// names it links with: the grammars' external scanners allocate through its
// allocator hook, and the tests compare its trees with this package's copy.
void ts_set_allocator(void *(*new_malloc)(size_t), void *(*new_calloc)(size_t, size_t),
	void *(*new_realloc)(void *, size_t), void (*new_free)(void *));
TSParser *ts_parser_new(void);
void ts_parser_delete(TSParser *self);
bool ts_parser_set_language(TSParser *self, const TSLanguage *language);
void ts_parser_set_timeout_micros(TSParser *self, uint64_t timeout_micros);
TSTree *ts_parser_parse_string(TSParser *self, const TSTree *old_tree, const char *string, uint32_t length);
void ts_tree_delete(TSTree *self);
static inline void binding_set_allocator(void *(*m)(size_t), void *(*c)(size_t, size_t),
		void *(*r)(void *, size_t), void (*f)(void *)) {
	ts_set_allocator(m, c, r, f);
}
static inline const vruntime *binding_runtime(void) {
	static const vruntime rt = {ts_parser_new, ts_parser_delete, ts_parser_set_language,
		ts_parser_set_timeout_micros, ts_parser_parse_string, ts_tree_delete};
	return &rt;
}

// From here on every ts_ name is this package's own copy of the runtime
// (runtime.c, tsruntime/), renamed by tsrename.h.
#include "tsrename.h"
#include "vnode.h"
#include "vdense.h"

TSParser *ts_parser_new(void);
void ts_parser_delete(TSParser *self);
bool ts_parser_set_language(TSParser *self, const TSLanguage *language);
void ts_parser_reset(TSParser *self);
void ts_parser_set_timeout_micros(TSParser *self, uint64_t timeout_micros);
void ts_parser_set_cancellation_flag(TSParser *self, const size_t *flag);
TSTree *ts_parser_parse_string(TSParser *self, const TSTree *old_tree, const char *string, uint32_t length);
void ts_tree_delete(TSTree *self);
TSNode ts_tree_root_node(const TSTree *self);
TSSymbol ts_node_symbol(TSNode self);
uint32_t ts_node_start_byte(TSNode self);
uint32_t ts_node_end_byte(TSNode self);
TSPoint ts_node_start_point(TSNode self);
TSPoint ts_node_end_point(TSNode self);
bool ts_node_is_named(TSNode self);
bool ts_node_has_error(TSNode self);
TSTreeCursor ts_tree_cursor_new(TSNode node);
void ts_tree_cursor_delete(TSTreeCursor *self);
TSNode ts_tree_cursor_current_node(const TSTreeCursor *self);
TSFieldId ts_tree_cursor_current_field_id(const TSTreeCursor *self);
bool ts_tree_cursor_goto_first_child(TSTreeCursor *self);
bool ts_tree_cursor_goto_next_sibling(TSTreeCursor *self);
bool ts_tree_cursor_goto_parent(TSTreeCursor *self);
uint32_t ts_language_symbol_count(const TSLanguage *self);
const char *ts_language_symbol_name(const TSLanguage *self, TSSymbol symbol);
uint32_t ts_language_field_count(const TSLanguage *self);
const char *ts_language_field_name_for_id(const TSLanguage *self, TSFieldId id);

// vflatten_cursor flattens like vflatten_subtrees (vnode.h, flatten.c) but
// walks the tree with the public TSTreeCursor API: the reference that the
// tests hold the direct walk to.
static vnode *vflatten_cursor(TSTree *tree, int32_t *count, vnode *buf, size_t *bufcap) {
	size_t cap = *bufcap, n = 0;
	vnode *out = vnode_buf(buf, &cap);
	if (!out) return NULL;
	int32_t stack_cap = 256, depth = 0;
	int32_t *stack = malloc(stack_cap * sizeof(int32_t));      // open ancestors
	int32_t *lastchild = malloc(stack_cap * sizeof(int32_t));  // their last child so far
	if (!stack || !lastchild) { free(out); free(stack); free(lastchild); return NULL; }
	TSTreeCursor c = ts_tree_cursor_new(ts_tree_root_node(tree));
	for (;;) {
		if (n == cap) {
			cap *= 2;
			vnode *grown = realloc(out, cap * sizeof(vnode));
			if (!grown) { free(out); out = NULL; break; }
			out = grown;
		}
		TSNode node = ts_tree_cursor_current_node(&c);
		vnode *v = &out[n];
		TSPoint sp = ts_node_start_point(node), ep = ts_node_end_point(node);
		v->start_byte = ts_node_start_byte(node); v->end_byte = ts_node_end_byte(node);
		v->start_row = sp.row; v->start_col = sp.column; v->end_row = ep.row; v->end_col = ep.column;
		v->symbol = ts_node_symbol(node); v->field = ts_tree_cursor_current_field_id(&c);
		v->named = ts_node_is_named(node); v->error = ts_node_has_error(node);
		v->first_child = -1; v->next_sibling = -1; v->prev_sibling = -1; v->end = -1;
		v->parent = depth > 0 ? stack[depth-1] : -1;
		if (depth > 0) {
			int32_t prev = lastchild[depth-1];
			if (prev < 0) out[stack[depth-1]].first_child = (int32_t)n;
			else { out[prev].next_sibling = (int32_t)n; v->prev_sibling = prev; }
			lastchild[depth-1] = (int32_t)n;
		}
		int32_t self = (int32_t)n;
		n++;
		if (ts_tree_cursor_goto_first_child(&c)) {
			if (depth == stack_cap) {
				stack_cap *= 2;
				int32_t *s2 = realloc(stack, stack_cap * sizeof(int32_t));
				int32_t *l2 = realloc(lastchild, stack_cap * sizeof(int32_t));
				if (!s2 || !l2) { free(s2 ? s2 : stack); free(l2 ? l2 : lastchild); free(out); ts_tree_cursor_delete(&c); return NULL; }
				stack = s2; lastchild = l2;
			}
			stack[depth] = self; lastchild[depth] = -1; depth++;
			continue;
		}
		out[self].end = (int32_t)n;
		while (!ts_tree_cursor_goto_next_sibling(&c)) {
			if (depth == 0 || !ts_tree_cursor_goto_parent(&c)) goto done;
			depth--;
			out[stack[depth]].end = (int32_t)n;
		}
	}
done:
	ts_tree_cursor_delete(&c);
	free(stack); free(lastchild);
	*count = (int32_t)n;
	*bufcap = cap;
	return out;
}

static const TSLanguage *vlanguage(int lang) { return vgrammar(lang); }

// ---- Per-parse arena -------------------------------------------------
//
// Parsing allocates and frees hundreds of thousands of small objects (subtrees,
// stack nodes, arrays), and deleting a tree walks it again to free each one:
// in a CPU profile of a scan, malloc, free and ts_subtree_release were about
// an eighth of the time. vparse instead runs a whole parse — a fresh
// TSParser, the parse, the flattening and the parser's deletion — inside one
// C call with an arena installed for the calling thread: tree-sitter's
// allocations are bump-allocated from the arena's chunks, frees are free (the
// last block is rolled back), the tree is never deleted node by node, and the
// arena is emptied at the end of the call. Chunks are kept for the next parse
// up to a retained budget, so steady-state parsing touches no new pages.
// Outside vparse (cur_arena NULL) the allocator is plain libc, as before.

void ts_set_allocator(void *(*new_malloc)(size_t), void *(*new_calloc)(size_t, size_t),
	void *(*new_realloc)(void *, size_t), void (*new_free)(void *));

typedef struct varena_chunk {
	struct varena_chunk *next;
	size_t cap, used;
	_Alignas(16) char data[];
} varena_chunk;

typedef struct {
	varena_chunk *first, *cur;
	char *last; // the block allocated last (rolled back when freed first)
} varena;

#define VARENA_MIN_CHUNK ((size_t)4 << 20)
#define VARENA_MAX_CHUNK ((size_t)64 << 20)
#define VARENA_RETAIN ((size_t)64 << 20)

static __thread varena *cur_arena;

// Each block is preceded by its size (16 bytes keep the alignment).
#define VHDR 16

static void *varena_take(varena *a, size_t size) {
	size_t need = (size + VHDR + 15) & ~(size_t)15;
	if (need < size) return NULL; // overflow
	varena_chunk *c = a->cur;
	while (c && c->cap - c->used < need) {
		c = c->next;
		if (c) c->used = 0;
	}
	if (!c) {
		size_t cap = VARENA_MIN_CHUNK;
		if (a->cur && a->cur->cap * 2 <= VARENA_MAX_CHUNK) cap = a->cur->cap * 2;
		if (a->cur && a->cur->cap * 2 > VARENA_MAX_CHUNK) cap = VARENA_MAX_CHUNK;
		if (cap < need) cap = need;
		c = malloc(sizeof(varena_chunk) + cap);
		if (!c) return NULL;
		c->cap = cap; c->used = 0; c->next = NULL;
		// append after the last chunk
		if (!a->first) a->first = c;
		else { varena_chunk *t = a->first; while (t->next) t = t->next; t->next = c; }
	}
	a->cur = c;
	char *b = c->data + c->used;
	c->used += need;
	*(size_t *)b = size;
	a->last = b + VHDR;
	return b + VHDR;
}

static bool varena_owns(varena *a, const void *p) {
	for (varena_chunk *c = a->first; c; c = c->next) {
		if ((const char *)p >= c->data && (const char *)p < c->data + c->cap) return true;
	}
	return false;
}

static void *vmalloc(size_t size) {
	varena *a = cur_arena;
	void *p = a ? varena_take(a, size) : malloc(size);
	if (!p && size > 0) { fprintf(stderr, "tree-sitter failed to allocate %zu bytes", size); abort(); }
	return p;
}

static void *vcalloc(size_t n, size_t size) {
	varena *a = cur_arena;
	if (!a) {
		void *p = calloc(n, size);
		if (!p && n > 0 && size > 0) { fprintf(stderr, "tree-sitter failed to allocate %zu bytes", n * size); abort(); }
		return p;
	}
	if (size && n > SIZE_MAX / size) { fprintf(stderr, "tree-sitter allocation overflow"); abort(); }
	void *p = vmalloc(n * size);
	memset(p, 0, n * size);
	return p;
}

static void *vrealloc(void *old, size_t size) {
	varena *a = cur_arena;
	if (!a || (old && !varena_owns(a, old))) {
		void *p = realloc(old, size);
		if (!p && size > 0) { fprintf(stderr, "tree-sitter failed to reallocate %zu bytes", size); abort(); }
		return p;
	}
	if (!old) return vmalloc(size);
	size_t oldsize = *(size_t *)((char *)old - VHDR);
	if (old == a->last) {
		// the newest block grows (or shrinks) in place when its chunk has room
		varena_chunk *c = a->cur;
		size_t start = (size_t)((char *)old - VHDR - c->data);
		size_t need = (size + VHDR + 15) & ~(size_t)15;
		if (need >= size && start + need <= c->cap) {
			c->used = start + need;
			*(size_t *)((char *)old - VHDR) = size;
			return old;
		}
	}
	if (size <= oldsize) {
		*(size_t *)((char *)old - VHDR) = size;
		return old;
	}
	void *p = vmalloc(size);
	memcpy(p, old, oldsize);
	return p;
}

static void vfree(void *p) {
	varena *a = cur_arena;
	if (!a) { free(p); return; }
	if (p && p == a->last) {
		// the newest block: give its space back
		varena_chunk *c = a->cur;
		c->used = (size_t)((char *)p - VHDR - c->data);
		a->last = NULL;
	}
	// any other block lives until the arena is emptied
}

static void vinstall_once(void) {
	ts_set_allocator(vmalloc, vcalloc, vrealloc, vfree);
	binding_set_allocator(vmalloc, vcalloc, vrealloc, vfree);
}
static pthread_once_t vinstalled = PTHREAD_ONCE_INIT;

// vinstall_allocator routes tree-sitter's allocations through the arena
// functions (plain libc outside vparse); idempotent.
static void vinstall_allocator(void) { pthread_once(&vinstalled, vinstall_once); }

// varena_reset empties the arena, keeping chunks up to the retained budget.
static void varena_reset(varena *a) {
	size_t kept = 0;
	varena_chunk **link = &a->first;
	while (*link) {
		varena_chunk *c = *link;
		if (kept + c->cap <= VARENA_RETAIN) {
			kept += c->cap;
			c->used = 0;
			link = &c->next;
		} else {
			*link = c->next;
			free(c);
		}
	}
	a->cur = a->first;
	a->last = NULL;
}

// varena_size is the memory the arena keeps (tests).
static size_t varena_size(varena *a) {
	size_t n = 0;
	for (varena_chunk *c = a->first; c; c = c->next) n += c->cap;
	return n;
}

static void varena_free(varena *a) {
	while (a->first) { varena_chunk *c = a->first; a->first = c->next; free(c); }
	a->cur = NULL; a->last = NULL;
}

// vparse parses src as lang within the arena and flattens the tree into buf
// (see vflatten_subtrees; with cursor set, vflatten_cursor). *status: 0
// parsed, 1 too complex (timeout), 2 out of memory, 3 incompatible grammar.
// With a NULL arena it parses with libc's allocator and deletes the tree
// node by node (the tests' reference).
static inline const vruntime *own_runtime(void) {
	static const vruntime rt = {ts_parser_new, ts_parser_delete, ts_parser_set_language,
		ts_parser_set_timeout_micros, ts_parser_parse_string, ts_tree_delete};
	return &rt;
}

static vnode *vparse(varena *a, int lang, const char *src, uint32_t len, uint64_t timeout,
		int32_t *count, vnode *buf, size_t *bufcap, int *status, bool cursor, bool binding) {
	const vruntime *rt = binding ? binding_runtime() : own_runtime();
	vnode *out = NULL;
	cur_arena = a;
	if (a) {
		if (a->first) a->first->used = 0;
		a->cur = a->first;
		a->last = NULL;
	}
	TSParser *p = rt->parser_new();
	if (!rt->set_language(p, binding ? vlanguage(lang) : vdense_language(lang))) {
		*status = 3;
	} else {
		rt->set_timeout_micros(p, timeout);
		TSTree *t = rt->parse_string(p, NULL, src, len);
		if (!t) {
			*status = 1;
		} else {
			// the flattener owns buf from here: it returns it (grown) or frees it
			out = cursor ? vflatten_cursor(t, count, buf, bufcap) : vflatten_subtrees(t, count, buf, bufcap);
			*status = out ? 0 : 2;
			// with an arena, the tree's memory is emptied below, never walked
			if (!a) rt->tree_delete(t);
		}
	}
	rt->parser_delete(p);
	if (a) varena_reset(a);
	cur_arena = NULL;
	return out;
}
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"
	"unsafe"

	// The runtime and grammars whose C code this package calls.
	_ "github.com/smacker/go-tree-sitter"
	_ "github.com/smacker/go-tree-sitter/javascript"
	_ "github.com/smacker/go-tree-sitter/python"
	_ "github.com/smacker/go-tree-sitter/typescript/tsx"
	_ "github.com/smacker/go-tree-sitter/typescript/typescript"
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

// ErrTooComplex is returned when a file cannot be parsed within the
// parser's time budget.
var ErrTooComplex = errors.New("file too complex to parse within the scanner's limits")

// parseTimeout bounds one file's parse (tree-sitter's own timer), so that a
// pathological input cannot stall a worker.
const parseTimeout = 20_000_000 // microseconds

// maxSource bounds what the C parser is handed (its lengths are 32-bit).
const maxSource = 1 << 30

// Parser parses sources; it is not safe for concurrent use: give each worker
// its own, and Close it.
type Parser struct {
	// arena holds tree-sitter's memory during one parse (see vparse in the
	// C preamble); its chunks are reused by the next parse.
	arena  *C.varena
	tables map[Lang]*langTables
	// plain parses with libc's allocator instead of the arena, cursor
	// flattens through the public cursor API instead of walking subtrees,
	// and binding parses with go-tree-sitter's runtime instead of this
	// package's copy (tests compare each pair).
	plain, cursor, binding bool

	// spare is a flattening buffer (spareCap nodes) handed back by the
	// last closed tree, reused by the next parse: a scan parses thousands
	// of files one after the other, and a fresh array each time costs a
	// malloc and page faults per file. Guarded by mu, since a tree may be
	// closed on another goroutine.
	mu       sync.Mutex
	spare    *C.vnode
	spareCap C.size_t
	closed   bool
}

// NewParser returns a parser for every supported language.
func NewParser() *Parser {
	C.vinstall_allocator()
	return &Parser{arena: (*C.varena)(C.calloc(1, C.size_t(unsafe.Sizeof(C.varena{})))), tables: map[Lang]*langTables{}}
}

// Parse parses src as lang. The tree keeps a reference to src; the caller
// must not modify it while the tree is in use, and must Close the tree.
func (p *Parser) Parse(ctx context.Context, lang Lang, src []byte) (*Tree, error) {
	if lang < Python || lang > TSX {
		return nil, fmt.Errorf("parse: unsupported language %v", lang)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(src) > maxSource {
		return nil, ErrTooComplex
	}
	if p.arena == nil {
		return nil, errors.New("parse: parser is closed")
	}
	if p.tables[lang] == nil {
		p.tables[lang] = newLangTables(lang)
	}
	buf := src
	if len(buf) == 0 {
		buf = []byte{0}
	}
	cstr := (*C.char)(unsafe.Pointer(&buf[0]))
	var (
		count  C.int32_t
		status C.int
	)
	p.mu.Lock()
	spare, bufCap := p.spare, p.spareCap
	p.spare, p.spareCap = nil, 0
	p.mu.Unlock()
	arena := p.arena
	if p.plain {
		arena = nil
	}
	nodes := C.vparse(arena, C.int(lang), cstr, C.uint32_t(len(src)), parseTimeout, &count, spare, &bufCap, &status, C.bool(p.cursor), C.bool(p.binding))
	switch status {
	case 0:
	case 1, 3:
		// the buffer was not used: keep it for the next parse
		p.giveBack(spare, bufCap)
		if status == 3 {
			return nil, fmt.Errorf("parse: grammar %v is incompatible with the runtime", lang)
		}
		return nil, ErrTooComplex
	default:
		return nil, errors.New("parse: out of memory flattening the syntax tree")
	}
	t := &Tree{src: src, lang: lang, tab: p.tables[lang], cnodes: nodes, capNodes: bufCap, parser: p}
	t.nodes = unsafe.Slice((*vnode)(unsafe.Pointer(nodes)), int(count))
	return t, nil
}

// Close frees the parser's C memory. Trees still open stay valid until
// they are closed.
func (p *Parser) Close() {
	if p.arena != nil {
		C.varena_free(p.arena)
		C.free(unsafe.Pointer(p.arena))
		p.arena = nil
	}
	p.mu.Lock()
	C.free(unsafe.Pointer(p.spare))
	p.spare, p.spareCap, p.closed = nil, 0, true
	p.mu.Unlock()
}

// arenaSize is the memory the parser's arena keeps between parses.
func (p *Parser) arenaSize() int {
	if p.arena == nil {
		return 0
	}
	return int(C.varena_size(p.arena))
}

// denseMismatches counts the parse-table lookups in which the dense copy
// of l's grammar (dense.c) differs from the grammar; -1 without a copy.
func denseMismatches(l Lang) int { return int(C.vdense_mismatches(C.int(l))) }

// giveBack keeps a closed tree's node array for the next parse, or frees it
// when the parser already has one or is closed.
func (p *Parser) giveBack(nodes *C.vnode, capNodes C.size_t) {
	p.mu.Lock()
	if p.spare == nil && !p.closed {
		p.spare, p.spareCap = nodes, capNodes
		nodes = nil
	}
	p.mu.Unlock()
	C.free(unsafe.Pointer(nodes))
}

// vnode mirrors the C vnode struct.
type vnode = C.vnode

// Tree is one parsed file, flattened.
type Tree struct {
	src      []byte
	lang     Lang
	tab      *langTables
	nodes    []vnode
	cnodes   *C.vnode
	capNodes C.size_t // the length of the cnodes allocation
	parser   *Parser  // takes cnodes back for reuse on Close
}

// Lang is the tree's language.
func (t *Tree) Lang() Lang { return t.lang }

// Source is the parsed text.
func (t *Tree) Source() []byte { return t.src }

// NodeCount is the number of syntax nodes.
func (t *Tree) NodeCount() int { return len(t.nodes) }

// Root is the top node (module / program).
func (t *Tree) Root() Node {
	if t == nil || len(t.nodes) == 0 {
		return Node{}
	}
	return Node{t: t, i: 0}
}

// Close frees the tree's memory; nodes must not be used afterwards.
func (t *Tree) Close() {
	if t != nil && t.cnodes != nil {
		t.parser.giveBack(t.cnodes, t.capNodes)
		t.cnodes, t.nodes, t.parser = nil, nil, nil
	}
}

// Node is a syntax node; the zero Node is null and every method on it is
// safe (it has no children, no text and kind "").
type Node struct {
	t *Tree
	i int32
}

func (n Node) v() *vnode { return &n.t.nodes[n.i] }

func (n Node) at(i C.int32_t) Node {
	if i < 0 {
		return Node{}
	}
	return Node{t: n.t, i: int32(i)}
}

// IsNull reports whether the node is absent.
func (n Node) IsNull() bool { return n.t == nil }

// Kind is the grammar's node type, e.g. "call" or "string".
func (n Node) Kind() string {
	if n.t == nil {
		return ""
	}
	sym := int(n.v().symbol)
	if sym >= len(n.t.tab.symbols) {
		// ts_builtin_sym_error ((TSSymbol)-1) is outside the symbol table
		return "ERROR"
	}
	return n.t.tab.symbols[sym]
}

// IsNamed reports whether the node is a named (non-punctuation) node.
func (n Node) IsNamed() bool { return n.t != nil && n.v().named != 0 }

// HasError reports whether the node's subtree contains a syntax error.
func (n Node) HasError() bool { return n.t != nil && n.v().error != 0 }

// Text is the node's source text.
func (n Node) Text() string {
	if n.t == nil {
		return ""
	}
	v := n.v()
	return string(n.t.src[v.start_byte:v.end_byte])
}

// StartByte and EndByte are the node's byte offsets in the source.
func (n Node) StartByte() int {
	if n.t == nil {
		return 0
	}
	return int(n.v().start_byte)
}

func (n Node) EndByte() int {
	if n.t == nil {
		return 0
	}
	return int(n.v().end_byte)
}

// Line is the 1-based line the node starts on; Column the 1-based byte column.
func (n Node) Line() int {
	if n.t == nil {
		return 0
	}
	return int(n.v().start_row) + 1
}

func (n Node) Column() int {
	if n.t == nil {
		return 0
	}
	return int(n.v().start_col) + 1
}

// EndLine and EndColumn are the 1-based end position (the column after the
// last character, as SARIF wants).
func (n Node) EndLine() int {
	if n.t == nil {
		return 0
	}
	return int(n.v().end_row) + 1
}

func (n Node) EndColumn() int {
	if n.t == nil {
		return 0
	}
	return int(n.v().end_col) + 1
}

// Parent is the enclosing node (null at the root).
func (n Node) Parent() Node {
	if n.t == nil {
		return Node{}
	}
	return n.at(n.v().parent)
}

// ChildCount and Child address every child, punctuation included.
func (n Node) ChildCount() int {
	if n.t == nil {
		return 0
	}
	c := 0
	for i := n.v().first_child; i >= 0; i = n.t.nodes[i].next_sibling {
		c++
	}
	return c
}

func (n Node) Child(k int) Node {
	if n.t == nil || k < 0 {
		return Node{}
	}
	for i := n.v().first_child; i >= 0; i = n.t.nodes[i].next_sibling {
		if k == 0 {
			return n.at(i)
		}
		k--
	}
	return Node{}
}

// NamedChildCount and NamedChild address the named children only.
func (n Node) NamedChildCount() int {
	if n.t == nil {
		return 0
	}
	c := 0
	for i := n.v().first_child; i >= 0; i = n.t.nodes[i].next_sibling {
		if n.t.nodes[i].named != 0 {
			c++
		}
	}
	return c
}

func (n Node) NamedChild(k int) Node {
	if n.t == nil || k < 0 {
		return Node{}
	}
	for i := n.v().first_child; i >= 0; i = n.t.nodes[i].next_sibling {
		if n.t.nodes[i].named != 0 {
			if k == 0 {
				return n.at(i)
			}
			k--
		}
	}
	return Node{}
}

// NamedChildren returns the named children.
func (n Node) NamedChildren() []Node {
	if n.t == nil {
		return nil
	}
	var out []Node
	for i := n.v().first_child; i >= 0; i = n.t.nodes[i].next_sibling {
		if n.t.nodes[i].named != 0 {
			out = append(out, n.at(i))
		}
	}
	return out
}

// Field returns the first child under a grammar field name, e.g. "function"
// of a call; null when absent.
func (n Node) Field(name string) Node {
	if n.t == nil {
		return Node{}
	}
	id, ok := n.t.tab.fieldID[name]
	if !ok {
		return Node{}
	}
	for i := n.v().first_child; i >= 0; i = n.t.nodes[i].next_sibling {
		if uint16(n.t.nodes[i].field) == id {
			return n.at(i)
		}
	}
	return Node{}
}

// FieldNameOfChild is the field name of child k ("" when none).
func (n Node) FieldNameOfChild(k int) string {
	c := n.Child(k)
	if c.t == nil {
		return ""
	}
	return c.t.tab.fields[c.v().field]
}

// NextNamedSibling and PrevNamedSibling step along the parent's named
// children.
func (n Node) NextNamedSibling() Node {
	if n.t == nil {
		return Node{}
	}
	for i := n.v().next_sibling; i >= 0; i = n.t.nodes[i].next_sibling {
		if n.t.nodes[i].named != 0 {
			return n.at(i)
		}
	}
	return Node{}
}

func (n Node) PrevNamedSibling() Node {
	if n.t == nil {
		return Node{}
	}
	for i := n.v().prev_sibling; i >= 0; i = n.t.nodes[i].prev_sibling {
		if n.t.nodes[i].named != 0 {
			return n.at(i)
		}
	}
	return Node{}
}

// Equal reports whether two nodes are the same node.
func (n Node) Equal(o Node) bool { return n.t == o.t && n.i == o.i }

// Walk visits n and its descendants in source order. fn returns false to
// skip a node's children.
func (n Node) Walk(fn func(Node) bool) {
	if n.t == nil {
		return
	}
	end := n.v().end
	for i := C.int32_t(n.i); i < end; {
		if fn(Node{t: n.t, i: int32(i)}) {
			i++
		} else {
			i = n.t.nodes[i].end
		}
	}
}

// langTables holds a language's symbol and field names, read once per
// parser.
type langTables struct {
	symbols []string
	fields  []string
	fieldID map[string]uint16
}

func newLangTables(l Lang) *langTables {
	cl := C.vlanguage(C.int(l))
	t := &langTables{fieldID: map[string]uint16{}}
	nsym := int(C.ts_language_symbol_count(cl))
	t.symbols = make([]string, nsym)
	for i := range nsym {
		t.symbols[i] = C.GoString(C.ts_language_symbol_name(cl, C.TSSymbol(i)))
	}
	nf := int(C.ts_language_field_count(cl))
	t.fields = make([]string, nf+1)
	for i := 1; i <= nf; i++ {
		name := C.GoString(C.ts_language_field_name_for_id(cl, C.TSFieldId(i)))
		t.fields[i] = name
		t.fieldID[name] = uint16(i)
	}
	return t
}

// vnode.h: the flattened syntax node shared by the cgo preamble
// (treesitter.go) and flatten.c.
#ifndef VIGIL_VNODE_H_
#define VIGIL_VNODE_H_

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

// vnode is one node of a flattened tree, in pre-order. end is the index
// after the node's last descendant, so a subtree is the range [i, end).
typedef struct {
	uint32_t start_byte, end_byte;
	uint32_t start_row, start_col, end_row, end_col;
	int32_t parent, first_child, next_sibling, prev_sibling, end;
	uint16_t symbol;
	uint16_t field;
	uint8_t named, error;
} vnode;

struct TSTree;

// vnode_buf returns buf when it holds at least 1,024 nodes, else a fresh
// 1,024-node array (buf is freed) with *cap set; NULL when out of memory.
// Both flatteners start their output with it.
static inline vnode *vnode_buf(vnode *buf, size_t *cap) {
	if (buf && *cap >= 1024) return buf;
	free(buf);
	*cap = 1024;
	return malloc(*cap * sizeof(vnode));
}

// vflatten_subtrees flattens tree into buf (malloc'ed, *bufcap nodes long;
// NULL to allocate one), growing it as needed, by walking tree-sitter's
// subtrees directly; the result is exactly what a TSTreeCursor walk gives
// (vflatten_cursor in treesitter.go). It returns the array, which the caller
// frees or reuses, and sets *bufcap and *count; NULL when out of memory (buf
// is then freed).
vnode *vflatten_subtrees(const struct TSTree *tree, int32_t *count, vnode *buf, size_t *bufcap);

#endif

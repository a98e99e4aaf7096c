// flatten.c: flattens a tree-sitter tree by walking its subtrees directly.
//
// The public API walks a tree through TSTreeCursor: every step re-derives
// the parent's alias sequence, every field lookup walks the cursor's stack,
// and every node property is one more call. Walking the subtrees with one
// frame per (visible or hidden) parent computes each of these once. The
// walk mirrors tree_cursor.c and node.c of the tree-sitter runtime (v0.22,
// language ABI 14, copied in tsruntime/ from github.com/smacker/go-tree-sitter),
// whose internal headers give the layouts; TestSubtreeWalkMatchesCursor and
// FuzzParse check that both flatteners give identical arrays.

#include <stdbool.h>
#include <stdlib.h>

#include "tsrename.h"
#include "tsruntime/language.h"
#include "tsruntime/tree.h"
#include "vnode.h"

// vframe iterates the children of one subtree: a visible node's, or a
// hidden node's whose visible descendants belong to the nearest visible
// ancestor (owner).
typedef struct {
	const Subtree *children;
	uint32_t count, index, sidx; // sidx: structural (non-extra) child index
	const TSSymbol *aliases;     // the parent production's alias sequence
	const TSFieldMapEntry *fmap, *fmap_end;
	Length pos;            // where the next child starts (after its padding)
	int32_t owner;         // vnode index of the children's visible parent
	TSFieldId inherited;   // field a child gets when its own lookup fails
	bool visible_owner;    // this frame iterates owner's own children
} vframe;

static inline TSFieldId vfield_lookup(const TSFieldMapEntry *m, const TSFieldMapEntry *end, uint32_t sidx) {
	for (; m < end; m++) {
		if (!m->inherited && m->child_index == sidx) return m->field_id;
	}
	return 0;
}

// vframe_init starts iterating the children of parent (child_count > 0).
static inline void vframe_init(vframe *f, const TSLanguage *lang, Subtree parent, Length pos,
		int32_t owner, TSFieldId inherited, bool visible_owner) {
	f->count = parent.ptr->child_count;
	f->children = ts_subtree_children(parent);
	f->index = 0;
	f->sidx = 0;
	f->aliases = ts_language_alias_sequence(lang, parent.ptr->production_id);
	ts_language_field_map(lang, parent.ptr->production_id, &f->fmap, &f->fmap_end);
	f->pos = pos;
	f->owner = owner;
	f->inherited = inherited;
	f->visible_owner = visible_owner;
}

static inline TSSymbol vpublic_symbol(const TSLanguage *lang, TSSymbol s) {
	return s == ts_builtin_sym_error ? s : lang->public_symbol_map[s];
}

static inline bool vsymbol_named(const TSLanguage *lang, TSSymbol s) {
	if (s == ts_builtin_sym_error) return true;
	if (s == ts_builtin_sym_error_repeat) return false;
	return lang->symbol_metadata[s].named;
}

static inline void vset(vnode *v, Subtree s, Length pos, TSSymbol symbol, bool named, TSFieldId field) {
	Length size = ts_subtree_size(s);
	TSPoint end = point_add(pos.extent, size.extent);
	v->start_byte = pos.bytes;
	v->end_byte = pos.bytes + size.bytes;
	v->start_row = pos.extent.row;
	v->start_col = pos.extent.column;
	v->end_row = end.row;
	v->end_col = end.column;
	v->symbol = symbol;
	v->field = field;
	v->named = named;
	v->error = ts_subtree_error_cost(s) > 0;
	v->first_child = -1;
	v->next_sibling = -1;
	v->prev_sibling = -1;
}

vnode *vflatten_subtrees(const TSTree *tree, int32_t *count, vnode *buf, size_t *bufcap) {
	const TSLanguage *lang = tree->language;
	size_t cap = *bufcap, n = 0;
	vnode *out = vnode_buf(buf, &cap);
	if (!out) return NULL;
	size_t fcap = 64, depth = 0;
	vframe *frames = malloc(fcap * sizeof(vframe));
	if (!frames) { free(out); return NULL; }

	// The root: visible, unaliased, no field, starting after its padding.
	// While a visible node's children are being walked, its end holds the
	// index of its last child so far (-1: none yet).
	Subtree root = tree->root;
	Length pos = ts_subtree_padding(root);
	vset(&out[0], root, pos, vpublic_symbol(lang, ts_subtree_symbol(root)), ts_subtree_named(root), 0);
	out[0].parent = -1;
	out[0].end = -1;
	n = 1;
	if (ts_subtree_child_count(root) > 0) {
		vframe_init(&frames[depth++], lang, root, pos, 0, 0, true);
	} else {
		out[0].end = 1;
	}

	while (depth > 0) {
		vframe *f = &frames[depth - 1];
		if (f->index == f->count) {
			if (f->visible_owner) out[f->owner].end = (int32_t)n;
			depth--;
			continue;
		}
		Subtree child = f->children[f->index];
		Length cpos = f->pos;
		bool extra = ts_subtree_extra(child);
		uint32_t sidx = f->sidx;
		TSSymbol alias = 0;
		if (!extra) {
			if (f->aliases) alias = f->aliases[sidx];
			f->sidx++;
		}
		f->pos = length_add(cpos, ts_subtree_size(child));
		f->index++;
		if (f->index < f->count) f->pos = length_add(f->pos, ts_subtree_padding(f->children[f->index]));

		bool has_children = ts_subtree_child_count(child) > 0;
		if (ts_subtree_visible(child) || alias) {
			if (n == cap) {
				size_t ncap = cap * 2;
				vnode *grown = realloc(out, ncap * sizeof(vnode));
				if (!grown) { free(out); free(frames); return NULL; }
				out = grown;
				cap = ncap;
				f = &frames[depth - 1];
			}
			TSFieldId field = 0;
			if (!extra) {
				field = vfield_lookup(f->fmap, f->fmap_end, sidx);
				if (!field) field = f->inherited;
			}
			TSSymbol sym = alias ? alias : ts_subtree_symbol(child);
			bool named = alias ? vsymbol_named(lang, alias) : ts_subtree_named(child);
			vnode *v = &out[n];
			vset(v, child, cpos, vpublic_symbol(lang, sym), named, field);
			int32_t owner = f->owner, self = (int32_t)n;
			v->parent = owner;
			int32_t prev = out[owner].end;
			if (prev < 0) out[owner].first_child = self;
			else { out[prev].next_sibling = self; v->prev_sibling = prev; }
			out[owner].end = self;
			n++;
			if (has_children) {
				v->end = -1;
				if (depth == fcap) {
					size_t nf = fcap * 2;
					vframe *g = realloc(frames, nf * sizeof(vframe));
					if (!g) { free(out); free(frames); return NULL; }
					frames = g;
					fcap = nf;
				}
				vframe_init(&frames[depth++], lang, child, cpos, self, 0, true);
			} else {
				v->end = self + 1;
			}
		} else if (has_children && child.ptr->visible_child_count > 0) {
			// A hidden node: its visible descendants are owner's children.
			// Their field, when their own production names none, is this
			// node's (tree_cursor.c's current_field_id walks up through
			// hidden, non-extra ancestors).
			TSFieldId inherited = 0;
			if (!extra) {
				inherited = vfield_lookup(f->fmap, f->fmap_end, sidx);
				if (!inherited) inherited = f->inherited;
			}
			if (depth == fcap) {
				size_t nf = fcap * 2;
				vframe *g = realloc(frames, nf * sizeof(vframe));
				if (!g) { free(out); free(frames); return NULL; }
				frames = g;
				fcap = nf;
				f = &frames[depth - 1];
			}
			vframe_init(&frames[depth], lang, child, cpos, f->owner, inherited, false);
			depth++;
		}
	}
	free(frames);
	*count = (int32_t)n;
	*bufcap = cap;
	return out;
}

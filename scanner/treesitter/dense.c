// dense.c: grammars with every parse state in the direct-lookup table.
//
// A generated grammar stores the actions of its few "large" parse states as
// a state x symbol matrix and those of every other ("small") state as lists
// of symbol groups, which ts_language_lookup (tsruntime/language.h) searches
// linearly on every lookup: in a CPU profile of a scan that search was about
// a tenth of the parse. vdense_language gives this package's runtime a copy
// of a grammar whose matrix covers all states (large_state_count =
// state_count), so that every lookup is one load: for large states the
// runtime already reads the matrix, and the only other reader of the
// small-state lists, the lookahead iterator of the public API, is not used
// by the parser. The runtime's one change for it: lookups of the error
// symbols go to vdense_error_lookup (below).
//
// The copies are built once per grammar and process and never freed (1.5
// MB for Python, 1 MB for JavaScript, 5 MB for each TypeScript dialect).

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tsrename.h"
#include "tsruntime/language.h"
#include "tsruntime/parser.h"
#include "vdense.h"

typedef struct {
	pthread_once_t once;
	const TSLanguage *dense;
} vdense_slot;

const TSLanguage *tree_sitter_python(void);
const TSLanguage *tree_sitter_javascript(void);
const TSLanguage *tree_sitter_typescript(void);
const TSLanguage *tree_sitter_tsx(void);

// vgrammar is grammar lang itself (see vdense.h).
const TSLanguage *vgrammar(int lang) {
	switch (lang) {
	case 1: return tree_sitter_python();
	case 2: return tree_sitter_javascript();
	case 3: return tree_sitter_typescript();
	case 4: return tree_sitter_tsx();
	}
	return NULL;
}

static const TSLanguage *vdense_build(const TSLanguage *g) {
	if (!g) return NULL;
	size_t states = g->state_count, symbols = g->symbol_count;
	TSLanguage *d = malloc(sizeof *d);
	uint16_t *table = calloc(states * symbols, sizeof(uint16_t));
	bool *seen = malloc(symbols);
	if (!d || !table || !seen) {
		free(d);
		free(table);
		free(seen);
		return NULL;
	}
	memcpy(table, g->parse_table, (size_t)g->large_state_count * symbols * sizeof(uint16_t));
	for (size_t state = g->large_state_count; state < states; state++) {
		uint16_t *row = &table[state * symbols];
		memset(seen, 0, symbols);
		const uint16_t *data = &g->small_parse_table[g->small_parse_table_map[state - g->large_state_count]];
		uint16_t groups = *data++;
		for (unsigned i = 0; i < groups; i++) {
			uint16_t value = *data++;
			uint16_t count = *data++;
			for (unsigned j = 0; j < count; j++) {
				uint16_t symbol = *data++;
				// the search returns the first group naming the symbol
				if (symbol < symbols && !seen[symbol]) {
					seen[symbol] = true;
					row[symbol] = value;
				}
			}
		}
	}
	free(seen);
	*d = *g;
	d->parse_table = table;
	d->large_state_count = g->state_count;
	return d;
}

#define VDENSE_LANGS 5
static vdense_slot vdense_slots[VDENSE_LANGS] = {
	{PTHREAD_ONCE_INIT, NULL},
	{PTHREAD_ONCE_INIT, NULL},
	{PTHREAD_ONCE_INIT, NULL},
	{PTHREAD_ONCE_INIT, NULL},
	{PTHREAD_ONCE_INIT, NULL},
};

// pthread_once's routine takes no argument: one per slot.
#define VDENSE_INIT(i) \
	static void vdense_init_##i(void) { vdense_slots[i].dense = vdense_build(vgrammar(i)); }
VDENSE_INIT(1)
VDENSE_INIT(2)
VDENSE_INIT(3)
VDENSE_INIT(4)

const TSLanguage *vdense_language(int lang) {
	static void (*const init[VDENSE_LANGS])(void) = {NULL, vdense_init_1, vdense_init_2, vdense_init_3, vdense_init_4};
	if (lang < 1 || lang >= VDENSE_LANGS) return NULL;
	vdense_slot *s = &vdense_slots[lang];
	pthread_once(&s->once, init[lang]);
	// without memory for the copy, the grammar itself (slower, same trees)
	return s->dense ? s->dense : vgrammar(lang);
}

// vdense_error_lookup is ts_language_lookup for the error symbols (65534
// and 65535, past the end of every row), called by this package's runtime
// (tsruntime/language.h, with VIGIL_TS_DENSE_TABLES). The v0.22 parser does
// not look them up (ts_parser__recover skips error tokens; no file of the
// test corpora nor random input reached this), but the runtime's lookup
// would not stop it, and in a dense copy such a read would land in another
// state's row (or past the matrix). It answers as the grammar does: no
// action in a small state's lists; in a large state the grammar's own read
// past its row (whatever that memory holds), which go-tree-sitter's runtime
// would do too, so that both still build the same tree. This file is
// compiled without the macro: ts_language_lookup here is the original.
uint16_t vdense_error_lookup(const TSLanguage *self, TSStateId state, TSSymbol symbol) {
	for (int lang = 1; lang < VDENSE_LANGS; lang++) {
		const TSLanguage *g = vgrammar(lang);
		// a copy shares every table but the matrix with its grammar
		if (g && self != g && self->parse_actions == g->parse_actions) return ts_language_lookup(g, state, symbol);
	}
	return ts_language_lookup(self, state, symbol);
}

// vdense_mismatches counts the (state, symbol) pairs, the error symbols
// included, for which a lookup in the dense copy (as this package's runtime
// does it) gives another value than in the grammar; -1 when there is no
// copy (tests).
long vdense_mismatches(int lang) {
	const TSLanguage *d = vdense_language(lang), *g = vgrammar(lang);
	if (!d || d == g || d->large_state_count != d->state_count) return -1;
	long bad = 0;
	for (TSStateId state = 0; state < g->state_count; state++) {
		for (uint32_t symbol = 0; symbol < g->symbol_count; symbol++) {
			if (ts_language_lookup(d, state, (TSSymbol)symbol) != ts_language_lookup(g, state, (TSSymbol)symbol)) bad++;
		}
		for (uint32_t symbol = ts_builtin_sym_error_repeat; symbol <= ts_builtin_sym_error; symbol++) {
			if (vdense_error_lookup(d, state, (TSSymbol)symbol) != ts_language_lookup(g, state, (TSSymbol)symbol)) bad++;
		}
	}
	return bad;
}

// vdense.h: grammars whose parse table is dense (dense.c).
#ifndef VIGIL_VDENSE_H_
#define VIGIL_VDENSE_H_

struct TSLanguage;

// vgrammar is grammar lang (1 Python, 2 JavaScript, 3 TypeScript, 4 TSX) as
// go-tree-sitter compiles it; NULL for another lang.
const struct TSLanguage *vgrammar(int lang);

// vdense_language is a copy of grammar lang (1 Python, 2 JavaScript, 3
// TypeScript, 4 TSX) whose parse table looks up every state directly, built
// on first use; NULL for another lang. For this package's runtime only: the
// runtime go-tree-sitter compiles gets the grammars themselves.
const struct TSLanguage *vdense_language(int lang);

// vdense_mismatches counts the lookups in which the copy of lang differs
// from the grammar (tests); -1 without a copy.
long vdense_mismatches(int lang);

#endif

// runtime.c: this package's copy of the tree-sitter runtime (tsruntime/,
// v0.22 as vendored by github.com/smacker/go-tree-sitter), compiled as one
// translation unit under its own symbol names (tsrename.h).
//
// Copied from github.com/smacker/go-tree-sitter v0.0.0-20240827094217-dd81d9e9be82,
// with the changes listed in tsruntime/README.md (3: non-atomic refcounts,
// dense-table error lookups, ASCII lookahead).
// (Go's build cache sees only this file, not tsruntime/: change this line
// whenever tsruntime/ changes.)
#include "tsrename.h"
#define _POSIX_C_SOURCE 200112L
// Subtree reference counts without atomic instructions: every parse runs
// inside one C call (vparse) with its own parser, and its subtrees are
// freed (or the arena emptied) before the call returns, so no subtree is
// ever reached from two threads.
#define VIGIL_TS_THREAD_CONFINED 1
// Grammars come with every parse state in the direct-lookup matrix
// (dense.c); lookups of the error symbols, past a row's end, are answered
// as the original grammar answers them (vdense_error_lookup).
#define VIGIL_TS_DENSE_TABLES 1
// The lexer reads an ASCII byte of UTF-8 input without calling the decoder.
#define VIGIL_TS_ASCII_LOOKAHEAD 1
// The C library's declarations keep their default visibility; the
// runtime's own functions are hidden, which lets the compiler inline them
// into each other although cgo compiles with -fPIC.
#include <assert.h>
#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wctype.h>
#pragma GCC visibility push(hidden)
#include "tsruntime/alloc.c"
#include "tsruntime/get_changed_ranges.c"
#include "tsruntime/language.c"
#include "tsruntime/lexer.c"
#include "tsruntime/node.c"
#include "tsruntime/parser.c"
#include "tsruntime/stack.c"
#include "tsruntime/subtree.c"
#include "tsruntime/tree.c"
#include "tsruntime/tree_cursor.c"
#include "tsruntime/wasm_store.c"
#pragma GCC visibility pop

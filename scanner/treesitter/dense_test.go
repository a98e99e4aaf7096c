package treesitter

import "testing"

// Every lookup in the dense copy of each grammar's parse table (dense.c),
// through the runtime's own lookup code, gives what the grammar's table
// gives, the error symbols included.
func TestDenseParseTablesMatchGrammars(t *testing.T) {
	for l := Python; l <= TSX; l++ {
		if got := denseMismatches(l); got != 0 {
			t.Errorf("%v: %d lookups differ between the dense table and the grammar's (-1: no dense table)", l, got)
		}
	}
}

package prefilter

import (
	"bytes"
	"testing"
)

func TestIndexFoldIsIndexIgnoringASCIICase(t *testing.T) {
	for _, c := range []struct {
		b, w string
		want int
	}{
		{"isPermissionError", "permission", 2},
		{"PERMISSION", "permission", 0},
		{"permissio", "permission", -1},
		{"", "x", -1},
		{"x\u212ay", "k", -1}, // the Kelvin sign is not ASCII k
	} {
		if got := IndexFold([]byte(c.b), c.w); got != c.want {
			t.Errorf("IndexFold(%q, %q) = %d, want %d", c.b, c.w, got, c.want)
		}
		if c.want >= 0 && !bytes.EqualFold([]byte(c.b)[c.want:c.want+len(c.w)], []byte(c.w)) {
			t.Errorf("IndexFold(%q, %q) points at no match", c.b, c.w)
		}
	}
}

func TestIsIdentByte(t *testing.T) {
	for _, c := range []byte("aZ09_$\xc3") {
		if !IsIdentByte(c) {
			t.Errorf("%q should be an identifier byte", c)
		}
	}
	for _, c := range []byte(" .(-'\"\n") {
		if IsIdentByte(c) {
			t.Errorf("%q should not be an identifier byte", c)
		}
	}
	if Lower('Q') != 'q' || Lower('q') != 'q' || Lower('[') != '[' {
		t.Error("Lower maps only ASCII capitals")
	}
}

package prefilter

import (
	"bytes"
	"testing"
)

// reference is the behaviour In must reproduce exactly.
func reference(b []byte, words []string) bool {
	low := bytes.ToLower(b)
	for _, w := range words {
		if bytes.Contains(low, bytes.ToLower([]byte(w))) {
			return true
		}
	}
	return false
}

var testWords = []string{"jwt", "secret", "Token", "passw", "api_key", "depends(", "://", "key", "pin"}

func TestIn(t *testing.T) {
	w := New(testWords...)
	cases := []struct {
		in   string
		want bool
	}{
		{"", false},
		{"x = 1", false},
		{"JWT", true},
		{"my_SeCrEt = 2", true},
		{"tok en", false},
		{"TOKEN", true},
		{"passwd", true},
		{"pass word", false},
		{"API_KEY", true},
		{"Depends(get_user)", true},
		{"postgres://u:p@h/db", true},
		{"https:/ /x", false},
		{"Kelvin", false},
		{"\u212aEY", true},         // KELVIN SIGN lower-cases to k
		{"P\u0130N", true},         // İ lower-cases to i
		{"\xff\xfe\x00abc", false}, // invalid UTF-8, nothing to find
		{"pi\xffn", false},         // a broken sequence splits the word
		{"mapping = {}", true},     // pin inside a word counts, as before
		{"TO\u212aEN", true},       // k via the Kelvin sign
		{"ÄÖÜ ßéè 中文", false},
	}
	for _, c := range cases {
		if got := w.In([]byte(c.in)); got != c.want {
			t.Errorf("In(%q) = %v, want %v", c.in, got, c.want)
		}
		if got := w.InString(c.in); got != c.want {
			t.Errorf("InString(%q) = %v, want %v", c.in, got, c.want)
		}
		if ref := reference([]byte(c.in), testWords); ref != c.want {
			t.Errorf("reference(%q) = %v, want %v (bad test case)", c.in, ref, c.want)
		}
	}
}

func TestNewRejectsBadWords(t *testing.T) {
	for _, bad := range []string{"", "é"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%q) did not panic", bad)
				}
			}()
			New(bad)
		}()
	}
}

func FuzzIn(f *testing.F) {
	for _, s := range []string{"", "JWT", "p\u0130n", "\u212aey", "se\xffcret", "xx://yy", "Api_Key", "to\u212aen"} {
		f.Add([]byte(s))
	}
	w := New(testWords...)
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := w.In(b), reference(b, testWords); got != want {
			t.Fatalf("In(%q) = %v, reference says %v", b, got, want)
		}
		if got, want := w.InString(string(b)), reference(b, testWords); got != want {
			t.Fatalf("InString(%q) = %v, reference says %v", b, got, want)
		}
	})
}

func BenchmarkIn(b *testing.B) {
	src := bytes.Repeat([]byte("def handler(request):\n    return render(request, 'index.html', {'x': 1})\n"), 2000)
	w := New(testWords[:6]...)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		w.In(src)
	}
}

func BenchmarkReference(b *testing.B) {
	src := bytes.Repeat([]byte("def handler(request):\n    return render(request, 'index.html', {'x': 1})\n"), 2000)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		reference(src, testWords[:6])
	}
}

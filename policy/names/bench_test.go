package names

import (
	"sync"
	"testing"

	"github.com/agnivade/levenshtein"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// benchNames mixes hits and misses over both ecosystems.
var benchNames = []struct {
	eco  policy.Ecosystem
	name string
}{
	{policy.PyPI, "reqeusts"}, {policy.PyPI, "requests"}, {policy.PyPI, "python3-dateutil"},
	{policy.PyPI, "jeIlyfish"}, {policy.PyPI, "my-internal-tool"}, {policy.PyPI, "dateutil-python"},
	{policy.PyPI, "numpyy"}, {policy.PyPI, "scikit-learn-extra-stuff"}, {policy.PyPI, "flask"},
	{policy.PyPI, "djangorestframewrok"},
	{policy.NPM, "loadsh"}, {policy.NPM, "lodash"}, {policy.NPM, "@typess/node"}, {policy.NPM, "crossenv"},
	{policy.NPM, "@acme/widgets"}, {policy.NPM, "react-dom-extra-helpers"}, {policy.NPM, "expresss"},
	{policy.NPM, "typescript-eslint-parser-plugin"}, {policy.NPM, "babelcli"}, {policy.NPM, "left-pad"},
}

// embeddedIndex builds the embedded corpus' index once per test binary; the
// index is immutable, so tests share it.
var embeddedIndex = sync.OnceValues(func() (*Corpus, *Index) {
	c, err := LoadEmbedded()
	if err != nil {
		return nil, nil
	}
	return c, NewIndex(c)
})

func loadIndex(tb testing.TB) (*Corpus, *Index) {
	tb.Helper()
	c, ix := embeddedIndex()
	if c == nil {
		tb.Fatal("LoadEmbedded failed")
	}
	return c, ix
}

func BenchmarkTyposquat(b *testing.B) {
	_, ix := loadIndex(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		n := benchNames[i%len(benchNames)]
		ix.Typosquat(n.eco, n.name)
		i++
	}
}

func BenchmarkNewIndex(b *testing.B) {
	c, _ := loadIndex(b)
	b.ReportAllocs()
	for b.Loop() {
		NewIndex(c)
	}
}

func BenchmarkLoadEmbedded(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadEmbedded(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTyposquatWorstCase uses names at the distance-2 length limit (32),
// where a lookup probes every two-character deletion.
func BenchmarkTyposquatWorstCase(b *testing.B) {
	_, ix := loadIndex(b)
	long := []string{
		"typescript-eslint-parser-plugin-x", // 32 folded chars: the longest probed at distance 2
		"eslint-plugin-jsx-a11y-accessible-r",
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ix.Typosquat(policy.NPM, long[i%len(long)])
		i++
	}
}

// BenchmarkTyposquatBruteForce is the baseline BenchmarkTyposquat is
// quoted against: the obvious implementation, a Levenshtein distance to
// every popular name of the ecosystem (github.com/agnivade/levenshtein),
// which finds only the single-edit family. Run both with -cpu 1 and compare.
func BenchmarkTyposquatBruteForce(b *testing.B) {
	c, _ := loadIndex(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		n := benchNames[i%len(benchNames)]
		q := Normalize(n.eco, n.name)
		best := ""
		for _, e := range c.Entries(n.eco) {
			if e.Name != q && levenshtein.ComputeDistance(q, e.Name) == 1 {
				best = e.Name
				break
			}
		}
		_ = best
		i++
	}
}

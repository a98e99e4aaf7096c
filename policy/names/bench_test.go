package names

import (
	"testing"

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

func loadIndex(tb testing.TB) (*Corpus, *Index) {
	tb.Helper()
	c, err := LoadEmbedded()
	if err != nil {
		tb.Fatal(err)
	}
	return c, NewIndex(c)
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

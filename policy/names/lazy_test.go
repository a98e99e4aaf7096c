package names

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// A lazy index answers exactly as an eager one, and builds only the
// ecosystems it is asked about.
func TestLazyIndexAnswersAsEagerAndBuildsOnDemand(t *testing.T) {
	c, eager := loadIndex(t)
	lazy := NewLazyIndex(c, IndexOptions{})
	type answer struct {
		Match             Match
		Squat, Pop, Known bool
		Rank              int
		Monthly           int64
		Suggestions       []string
	}
	ask := func(ix *Index, eco policy.Ecosystem, name string) answer {
		var a answer
		a.Match, a.Squat = ix.Typosquat(eco, name)
		a.Rank, a.Monthly, a.Pop = ix.Popular(eco, name)
		_, _, a.Known = ix.Known(eco, name)
		a.Suggestions = ix.Suggest(eco, name, 3)
		return a
	}
	for _, n := range benchNames {
		if n.eco != policy.PyPI {
			continue
		}
		if diff := cmp.Diff(ask(eager, n.eco, n.name), ask(lazy, n.eco, n.name)); diff != "" {
			t.Errorf("%s %s (-eager +lazy):\n%s", n.eco, n.name, diff)
		}
	}
	if lazy.npm.names != nil || lazy.corpus == nil {
		t.Fatal("PyPI questions built the npm index (or dropped the corpus it still needs)")
	}
	for _, n := range benchNames {
		if diff := cmp.Diff(ask(eager, n.eco, n.name), ask(lazy, n.eco, n.name)); diff != "" {
			t.Errorf("%s %s (-eager +lazy):\n%s", n.eco, n.name, diff)
		}
	}
	if lazy.npm.names == nil || eager.corpus != nil {
		t.Fatal("npm questions did not build the npm index, or the eager index kept its corpus")
	}
	// Popularity questions alone need no target keys.
	pop := NewLazyIndex(c, IndexOptions{})
	if _, _, ok := pop.Popular(policy.NPM, "react"); !ok {
		t.Fatal("react is not popular")
	}
	if pop.npm.pending == nil || pop.npm.names != nil {
		t.Fatal("a popularity question built the npm targets")
	}
	if _, squat := pop.Typosquat(policy.NPM, "react"); squat || pop.npm.pending == nil {
		t.Fatal("a popular name's typosquat question built the targets or was judged a squat")
	}
	if _, squat := pop.Typosquat(policy.NPM, "raect"); !squat || pop.npm.pending != nil {
		t.Fatal("raect was not judged against the targets")
	}
}

// A name in an npm scope that holds a popular package can only come from
// that scope's owner: it is never a typosquat and needs no target keys,
// while a look-alike scope is still judged.
func TestOwnedScopeIsNoTyposquat(t *testing.T) {
	c, _ := loadIndex(t)
	ix := NewLazyIndex(c, IndexOptions{})
	for _, name := range []string{"@npmcli/mock-registry", "@babel/cor", "@types/nod", "@aws-sdk/client-s4"} {
		if m, ok := ix.Typosquat(policy.NPM, name); ok {
			t.Errorf("%s judged a typosquat of %s", name, m.Target)
		}
	}
	if ix.npm.pending == nil {
		t.Fatal("names in owned scopes built the target keys")
	}
	if !ix.npm.ownedScope([]byte("@babel/anything")) || ix.npm.ownedScope([]byte("@typess/node")) || ix.npm.ownedScope([]byte("babel")) {
		t.Fatal("ownedScope disagrees with the corpus")
	}
	m, ok := ix.Typosquat(policy.NPM, "@typess/node")
	if !ok || m.Target != "@types/node" {
		t.Fatalf("@typess/node → %+v, %v; want @types/node", m, ok)
	}
}

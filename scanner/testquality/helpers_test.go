package testquality

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// closeHelpersByFixpoint is the propagation closeHelpers must compute: loop
// over every helper's calls until nothing changes.
func closeHelpersByFixpoint(helpers map[string]helperFacts) {
	for changed := true; changed; {
		changed = false
		for name, h := range helpers {
			for _, c := range h.calls {
				o, ok := helpers[c]
				if !ok || c == name {
					continue
				}
				if (o.asserts && !h.asserts) || (o.checkStatus && !h.checkStatus) {
					h.asserts = h.asserts || o.asserts
					h.checkStatus = h.checkStatus || o.checkStatus
					helpers[name] = h
					changed = true
				}
			}
		}
	}
}

func TestCloseHelpersPropagatesThroughCallChains(t *testing.T) {
	a := New(Options{})
	a.helpers = map[string]helperFacts{
		"check_all":   {calls: []string{"check_one", "unknown"}},
		"check_one":   {calls: []string{"assert_ok"}},
		"assert_ok":   {asserts: true},
		"get_client":  {calls: []string{"status_is"}},
		"status_is":   {checkStatus: true},
		"loop_a":      {calls: []string{"loop_b"}},
		"loop_b":      {calls: []string{"loop_a", "loop_b"}},
		"plain_setup": {calls: []string{"loop_a"}},
	}
	a.closeHelpers()
	got := map[string][2]bool{}
	for n, h := range a.helpers {
		got[n] = [2]bool{h.asserts, h.checkStatus}
	}
	want := map[string][2]bool{
		"check_all": {true, false}, "check_one": {true, false}, "assert_ok": {true, false},
		"get_client": {false, true}, "status_is": {false, true},
		"loop_a": {false, false}, "loop_b": {false, false}, "plain_setup": {false, false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("helpers after propagation (-want +got):\n%s", diff)
	}
}

func TestCloseHelpersMatchesTheFixpointOnRandomCallGraphs(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		n := 1 + r.IntN(40)
		helpers := map[string]helperFacts{}
		for i := range n {
			h := helperFacts{asserts: r.IntN(6) == 0, checkStatus: r.IntN(8) == 0}
			for range r.IntN(4) {
				h.calls = append(h.calls, fmt.Sprintf("h%d", r.IntN(n+5))) // some calls leave the set
			}
			helpers[fmt.Sprintf("h%d", i)] = h
		}
		want := map[string]helperFacts{}
		for k, v := range helpers {
			want[k] = v
		}
		closeHelpersByFixpoint(want)
		a := New(Options{})
		a.helpers = helpers
		a.closeHelpers()
		if diff := cmp.Diff(want, a.helpers, cmp.AllowUnexported(helperFacts{})); diff != "" {
			t.Fatalf("round %d: closeHelpers differs from the fixpoint (-fixpoint +got):\n%s", round, diff)
		}
	}
}

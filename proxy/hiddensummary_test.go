package proxy

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// The audit summary of hidden files is the same on every request: two
// files of one version refused for different reasons are summarised in
// file-name order, whatever order the map of refused files iterates in.
func TestHiddenSummaryIsDeterministic(t *testing.T) {
	hidden := map[string]policy.Decision{}
	for i := range 8 {
		file := fmt.Sprintf("pkg-1.0-py3-none-%d.whl", i)
		hidden[file] = policy.Decision{Ref: policy.Ref{Version: "1.0", File: file}, Verdict: policy.Block,
			Findings: []policy.Finding{{Rule: "DEP-002", Verdict: policy.Block, Reason: "file " + file + " too new"}}}
	}
	var want []policy.Finding
	for i := range 8 {
		want = append(want, policy.Finding{Rule: "DEP-002", Verdict: policy.Warn, Reason: fmt.Sprintf("hidden: file pkg-1.0-py3-none-%d.whl too new", i)})
	}
	for range 20 { // map iteration order differs between runs
		if diff := cmp.Diff(want, hiddenSummary(findingsByVersion(hidden))); diff != "" {
			t.Fatalf("summary (-want +got):\n%s", diff)
		}
	}
}

package popularity

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/proxy/upstream"
)

// A lookup holds its share of the upstream client's in-flight budget: while
// registry documents hold all of it, the lookup waits (here until its
// deadline) and sends nothing; once the budget is free it is answered.
func TestLookupsShareTheUpstreamBudget(t *testing.T) {
	t.Parallel()
	f := &fakeAPI{npm: map[string]int64{"left-pad": 42}}
	srv := newFake(t, f)
	client := upstream.New(upstream.Options{MaxDocumentBytes: 1 << 20, MaxInflightBytes: 1 << 20})
	src := NewNPM(HTTPOptions{BaseURL: srv.URL, Client: srv.Client(), Budget: client, MaxBody: 64 << 10})

	release, err := client.Reserve(t.Context(), 1<<20) // documents in flight hold it all
	if err != nil {
		t.Fatalf("Reserve: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	got, err := src.WeeklyDownloads(ctx, policy.NPM, []string{"left-pad"})
	if !errors.Is(err, context.DeadlineExceeded) || len(got) != 0 {
		t.Errorf("lookup with the budget spent = %v, %v; want nothing and the deadline's error", got, err)
	}
	if reqs := f.requests(); len(reqs) != 0 {
		t.Errorf("lookup with the budget spent sent %v, want no request", reqs)
	}

	release()
	got, err = src.WeeklyDownloads(t.Context(), policy.NPM, []string{"left-pad"})
	if err != nil || got["left-pad"] != 42 {
		t.Errorf("lookup with the budget free = %v, %v; want left-pad: 42", got, err)
	}
	// The lookup gave its share back: the whole budget can be taken again.
	again, err := client.Reserve(t.Context(), 1<<20)
	if err != nil {
		t.Fatalf("Reserve after the lookup: %v (the lookup kept its share)", err)
	}
	again()
}

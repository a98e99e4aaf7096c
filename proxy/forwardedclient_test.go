package proxy_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// Behind a reverse proxy (trust_forwarded) every request comes from the
// reverse proxy's address. The per-client budgets must still be per
// client: one client asking for many names that do not exist must not use
// up the watchlist's budget of new names for everyone, or an attacker could
// keep the names other users' assistants hallucinate off the watchlist,
// then register them.
func TestForwardedClientsHaveTheirOwnWatchBudget(t *testing.T) {
	e, _ := newNPMEnv(t, envOptions{trustForwarded: true})
	// The noisy client varies what it puts in X-Forwarded-For itself; the
	// reverse proxy appends the address it saw (the last entry).
	for i := range 100 {
		resp := e.get(fmt.Sprintf("/npm/noise-name-%d", i), fmt.Sprintf("X-Forwarded-For: 10.1.%d.%d, 203.0.113.66", i/250, i%250), "X-Forwarded-Host: vigil.example")
		wantStatus(t, resp, http.StatusNotFound)
	}
	if _, err := e.store.Watched(context.Background(), policy.NPM, "noise-name-99"); err == nil {
		t.Errorf("the noisy client escaped its budget by varying its own X-Forwarded-For entries")
	}
	const hallucinated = "react-hallucinated-helper"
	wantStatus(t, e.get("/npm/"+hallucinated, "X-Forwarded-For: 198.51.100.7, 10.0.0.9", "X-Forwarded-Host: vigil.example"), http.StatusNotFound)
	if _, err := e.store.Watched(context.Background(), policy.NPM, hallucinated); err != nil {
		t.Errorf("%s is not on the watchlist after another client used up its own budget: %v", hallucinated, err)
	}
}

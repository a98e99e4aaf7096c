package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// pendingRace is how many goroutines file the same request at once.
const pendingRace = 16

// filing is one outcome of a concurrent creation.
type filing struct {
	r   store.Request
	err error
}

// checkOnePending checks the outcomes of concurrent creations of one
// pending request: exactly one created it, every other got
// ErrAlreadyPending (an ErrConflict) with that request, and the store
// holds one pending request for the package.
func checkOnePending(t *testing.T, s store.Store, out []filing, name string) store.Request {
	t.Helper()
	var won []store.Request
	for _, f := range out {
		if f.err == nil {
			won = append(won, f.r)
		}
	}
	if len(won) != 1 {
		t.Fatalf("%d of %d concurrent creations of one pending request succeeded, want 1", len(won), len(out))
	}
	for _, f := range out {
		if f.err == nil {
			continue
		}
		if !errors.Is(f.err, store.ErrAlreadyPending) || !errors.Is(f.err, store.ErrConflict) {
			t.Errorf("a losing creation failed with %v, want ErrAlreadyPending (an ErrConflict)", f.err)
		}
		if f.r.ID != won[0].ID || f.r.Justification != won[0].Justification {
			t.Errorf("a losing creation returned request %q (%q), want the pending one %q (%q)", f.r.ID, f.r.Justification, won[0].ID, won[0].Justification)
		}
	}
	pending, err := s.Requests(t.Context(), store.RequestPending)
	if err != nil {
		t.Fatalf("Requests(pending): %v", err)
	}
	var ids []string
	for _, r := range pending {
		if r.Name == name {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) != 1 || ids[0] != won[0].ID {
		t.Fatalf("pending requests for %s = %v, want only %s", name, ids, won[0].ID)
	}
	return won[0]
}

// testOnePendingRequest: goroutines creating the same pending request at
// once with PutRequest leave one; other versions, other packages and
// decided requests are not duplicates.
func testOnePendingRequest(t *testing.T, s store.Store) {
	ctx := t.Context()
	out := make([]filing, pendingRace)
	var wg sync.WaitGroup
	for i := range pendingRace {
		wg.Go(func() {
			r, err := s.PutRequest(ctx, store.Request{Ecosystem: policy.PyPI, Name: "reqeusts", Version: "1.0.0",
				Requester: fmt.Sprintf("dev-%d", i), Justification: fmt.Sprintf("filing %d", i), Created: base})
			out[i] = filing{r, err}
		})
	}
	wg.Wait()
	first := checkOnePending(t, s, out, "reqeusts")

	// Another version, no version, another ecosystem's package of the same
	// name: each its own pending request.
	for _, r := range []store.Request{
		{Ecosystem: policy.PyPI, Name: "reqeusts", Version: "1.0.1"},
		{Ecosystem: policy.PyPI, Name: "reqeusts"},
		{Ecosystem: policy.NPM, Name: "reqeusts", Version: "1.0.0"},
	} {
		r.Requester, r.Justification = "bob", "x"
		if _, err := s.PutRequest(ctx, r); err != nil {
			t.Errorf("PutRequest(%s:%s %q) beside a pending request for another version or ecosystem: %v", r.Ecosystem, r.Name, r.Version, err)
		}
	}
	// No version is a version too: a second request without one is a
	// duplicate.
	if _, err := s.PutRequest(ctx, store.Request{Ecosystem: policy.PyPI, Name: "reqeusts", Requester: "bob", Justification: "y"}); !errors.Is(err, store.ErrAlreadyPending) {
		t.Errorf("second versionless request error = %v, want ErrAlreadyPending", err)
	}
	// Once decided, the package may be requested again.
	first.Status, first.DecidedBy, first.DecidedAt = store.RequestDenied, "carol", base.Add(time.Hour)
	if _, err := s.PutRequest(ctx, first); err != nil {
		t.Fatalf("PutRequest(deny): %v", err)
	}
	again, err := s.PutRequest(ctx, store.Request{Ecosystem: policy.PyPI, Name: "reqeusts", Version: "1.0.0", Requester: "bob", Justification: "again"})
	if err != nil {
		t.Fatalf("PutRequest after the pending one was denied: %v", err)
	}
	if again.ID == first.ID || again.Status != store.RequestPending {
		t.Errorf("request after the denial = %+v, want a new pending request", again)
	}
	// A request created already decided (an import) is no duplicate.
	if _, err := s.PutRequest(ctx, store.Request{Ecosystem: policy.PyPI, Name: "reqeusts", Version: "1.0.0",
		Requester: "bob", Justification: "old", Status: store.RequestApproved, DecidedBy: "carol", DecidedAt: base}); err != nil {
		t.Errorf("PutRequest(approved) beside a pending request: %v", err)
	}
}

// testUpdateOnePendingRequest: goroutines each creating the same pending
// request and its audit event in an Update leave one request and one
// event; the losers' transactions store nothing.
func testUpdateOnePendingRequest(t *testing.T, s store.Store) {
	ctx := t.Context()
	out := make([]filing, pendingRace)
	var wg sync.WaitGroup
	for i := range pendingRace {
		wg.Go(func() {
			var r store.Request
			err := s.Update(ctx, func(tx store.Tx) error {
				var err error
				r, err = tx.PutRequest(ctx, store.Request{Ecosystem: policy.NPM, Name: "lodahs",
					Requester: fmt.Sprintf("dev-%d", i), Justification: fmt.Sprintf("filing %d", i), Created: base})
				if err != nil {
					return err
				}
				return tx.RecordEvents(ctx, adminEvent("request.create", r.ID, r))
			})
			out[i] = filing{r, err}
		})
	}
	wg.Wait()
	won := checkOnePending(t, s, out, "lodahs")
	evs, _, err := s.Events(ctx, store.EventQuery{Kind: store.KindAdmin})
	if err != nil {
		t.Fatalf("Events: %v", err)
	}
	if len(evs) != 1 || evs[0].Target != won.ID {
		t.Errorf("audit events after %d concurrent filings = %d (targets %v), want one for %s", pendingRace, len(evs), targets(evs), won.ID)
	}
}

func targets(evs []store.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Target
	}
	return out
}

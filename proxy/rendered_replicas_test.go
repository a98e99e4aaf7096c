package proxy_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/npm/npmtest"
	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store/pgstore"
	"github.com/vigil-proxy/vigil-proxy/store/pgstore/pgtest"
)

// Two replicas on one PostgreSQL store, with list snapshots reused for an
// hour: a deny entry written through replica B reaches replica A's
// rendered cache through the store's change notification alone, and A
// refuses the cached packument and tarball at once.
func TestRenderedChangeOnOtherReplicaInvalidates(t *testing.T) {
	c := pgtest.Start(t)
	db := c.NewDatabase(t)
	open := func(replica string) *pgstore.Store {
		st, err := pgstore.Open(t.Context(), pgstore.Options{URL: c.URL(db), Password: pgtest.Password, Replica: replica})
		if err != nil {
			t.Fatalf("open pgstore: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	stA, stB := open("a"), open("b")
	fake := npmtest.NewServer(t, npmFixtures()...)
	envOf := func(st *pgstore.Store) *env {
		return newEnv(t, envOptions{npmUpstream: fake.URL, npmTarballs: []string{fake.TarballHost()}, listStore: st, listsTTL: time.Hour})
	}
	a, b := envOf(stA), envOf(stB)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	watching := make(chan struct{}, 1)
	go stA.WatchChanges(ctx, a.lists.Invalidate, func() { // as cmd's storewire does on connecting
		a.lists.MarkStale()
		select {
		case watching <- struct{}{}:
		default:
		}
	})
	<-watching // connected (WatchChanges signals once on connecting)

	warm(t, a, "/npm/mature-lib")
	wantStatus(t, a.get("/npm"+matureTarball), http.StatusOK)
	before := a.proxy.Judgements()
	wantStatus(t, a.get("/npm"+matureTarball), http.StatusOK)
	if n := a.proxy.Judgements() - before; n != 0 {
		t.Fatalf("warm tarball on A made %d full judgements", n)
	}

	if _, err := stB.PutEntry(ctx, policy.ListEntry{Kind: policy.Deny, Ecosystem: policy.NPM, Pattern: "mature-lib",
		Reason: "denied through replica B", Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	b.lists.Invalidate() // what B's admin does after the write
	// The notification takes milliseconds; the bound only decides when to
	// give up.
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp := a.get("/npm/mature-lib")
		body := body(t, resp)
		if resp.StatusCode == http.StatusForbidden {
			if !strings.Contains(body, "denied through replica B") {
				t.Errorf("refusal %q lacks B's reason", body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("A still serves the packument (%d) 30 s after the deny on B", resp.StatusCode)
		}
		time.Sleep(5 * time.Millisecond)
	}
	wantStatus(t, a.get("/npm"+matureTarball), http.StatusForbidden)
}

package proxy_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/npm/npmtest"
	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// Nobody can get a real package blocked for everyone: a case variant of an
// npm name (npm names are case-sensitive; upstream answers 404) and a
// check-API question watch only the name that was refused, and a package
// that existed before a name was first refused is never a slopsquat.
func TestWatchlistCannotBePoisoned(t *testing.T) {
	old := time.Now().Add(-400 * day)
	fake := npmtest.NewServer(t,
		npmtest.Package{Name: "lodash", Repository: ghRepo, Created: old, Versions: []npmtest.Version{{Version: "4.17.21", Published: old}}},
		npmtest.Package{Name: "express", Repository: ghRepo, Created: old, Versions: []npmtest.Version{{Version: "4.21.0", Published: old}}},
		npmtest.Package{Name: "JSONStream", Repository: ghRepo, Created: old, Versions: []npmtest.Version{{Version: "1.3.5", Published: old}}},
	)
	e := newEnv(t, envOptions{npmUpstream: fake.URL, npmTarballs: []string{fake.TarballHost()}})

	wantStatus(t, e.get("/npm/LoDash"), http.StatusNotFound)
	wantStatus(t, e.get("/npm/jsonstream"), http.StatusNotFound)
	if rep, err := e.proxy.Check(t.Context(), policy.NPM, "Express", ""); err != nil || rep.Verdict != policy.Block {
		t.Fatalf("Check(Express) = %+v, %v; want a DEP-001 block", rep, err)
	}
	e.clock.Advance(time.Hour) // past the negative cache

	for _, name := range []string{"lodash", "JSONStream", "express"} {
		body := wantStatus(t, e.get("/npm/"+name), http.StatusOK)
		if strings.Contains(body, "slopsquat") {
			t.Errorf("%s: refused as a slopsquat after a case-variant request", name)
		}
	}
	wantStatus(t, e.get(strings.Replace(fake.TarballURL("lodash", "4.17.21"), fake.URL, "/npm", 1)), http.StatusOK)

	got := map[string]int{}
	wl, err := e.store.Watchlist(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range wl {
		got[w.Name] = w.Count
	}
	want := map[string]int{"LoDash": 1, "jsonstream": 1} // exactly the refused names; no check-API question
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("watchlist = %v, want %v", got, want)
	}
	if evs := e.events.find("LoDash", "block"); len(evs) != 1 || !strings.Contains(evs[0].Reason, "`LoDash` does not exist on npm") {
		t.Errorf("audit of the LoDash refusal = %+v, want one block naming LoDash", evs)
	}
}

// An entry written before this release (names folded to lower case) for a
// package that existed before it was first refused is cleared the first
// time it is consulted, and the clearing is audited.
func TestWatchlistEntryOlderThanPackageIsCleared(t *testing.T) {
	old := time.Now().Add(-400 * day)
	fake := npmtest.NewServer(t,
		npmtest.Package{Name: "lodash", Repository: ghRepo, Created: old, Versions: []npmtest.Version{{Version: "4.17.21", Published: old}}})
	e := newEnv(t, envOptions{npmUpstream: fake.URL, npmTarballs: []string{fake.TarballHost()}})
	if _, err := e.store.RecordMissing(t.Context(), policy.NPM, "lodash", time.Now().Add(-day)); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, e.get("/npm/lodash"), http.StatusOK)
	if _, err := e.store.Watched(t.Context(), policy.NPM, "lodash"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("stale entry still watched: %v", err)
	}
	// The clearing is written with the removal, in one store transaction.
	var cleared []store.Event
	evs, _, err := e.store.Events(t.Context(), store.EventQuery{Kind: store.KindAdmin})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.Action == "watchlist.clear" {
			cleared = append(cleared, ev)
		}
	}
	if len(cleared) != 1 || cleared[0].Target != "npm:lodash" || cleared[0].Kind != store.KindAdmin || len(cleared[0].Before) == 0 {
		t.Errorf("audit of the clearing = %+v, want one admin event for npm:lodash with the entry before", cleared)
	}
}

// The start-up verification clears, without waiting for a request, the
// entries whose package predates the first refusal, and keeps real
// slopsquats (created after) and names still missing.
func TestVerifyWatchlistAtStartup(t *testing.T) {
	old := time.Now().Add(-400 * day)
	e, fake := newNPMEnv(t, envOptions{})
	fake.SetPackage(npmtest.Package{Name: "late-squat", Repository: ghRepo, Created: time.Now().Add(-time.Hour),
		Versions: []npmtest.Version{{Version: "1.0.0", Published: time.Now().Add(-time.Hour)}}})
	ctx := t.Context()
	for _, w := range []struct {
		name  string
		first time.Time
	}{{"mature-lib", old.Add(day)}, {"late-squat", time.Now().Add(-day)}, {"still-missing", time.Now().Add(-day)}} {
		if _, err := e.store.RecordMissing(ctx, policy.NPM, w.name, w.first); err != nil {
			t.Fatal(err)
		}
		if w.name != "still-missing" {
			if err := e.store.MarkAppeared(ctx, policy.NPM, w.name, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	n, err := e.proxy.VerifyWatchlist(ctx)
	if err != nil || n != 1 {
		t.Fatalf("VerifyWatchlist = %d, %v; want 1 cleared", n, err)
	}
	wl, err := e.store.Watchlist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, w := range wl {
		names = append(names, w.Name)
	}
	if fmt.Sprint(names) != "[late-squat still-missing]" && fmt.Sprint(names) != "[still-missing late-squat]" {
		t.Errorf("watchlist after verification = %v, want late-squat and still-missing", names)
	}
}

// One client cannot grow the watchlist without bound: past its rate of new
// names, refusals still happen but are not remembered.
func TestWatchlistNewNamesRateLimitedPerClient(t *testing.T) {
	fake := npmtest.NewServer(t)
	e := newEnv(t, envOptions{npmUpstream: fake.URL, npmTarballs: []string{fake.TarballHost()}})
	for i := range 200 {
		wantStatus(t, e.get(fmt.Sprintf("/npm/random-name-%03d", i)), http.StatusNotFound)
	}
	wl, err := e.store.Watchlist(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(wl) != 60 { // the default burst: 2 × 30 per minute, clock stopped
		t.Errorf("one client added %d names, want 60 (the burst)", len(wl))
	}
}

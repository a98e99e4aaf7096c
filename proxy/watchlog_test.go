package proxy_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// flakyWatch is a watchlist whose database can go down: while down is set
// every call fails as pgstore's do when PostgreSQL is unreachable (the
// error names the package, the cause does not change).
type flakyWatch struct {
	store.WatchStore
	down atomic.Bool
}

func (f *flakyWatch) fail(op string, eco policy.Ecosystem, name string) error {
	if !f.down.Load() {
		return nil
	}
	return fmt.Errorf("%s %s:%s: %w", op, eco, name, errDatabaseDown)
}

func (f *flakyWatch) Watched(ctx context.Context, eco policy.Ecosystem, name string) (store.WatchEntry, error) {
	if err := f.fail("watched", eco, name); err != nil {
		return store.WatchEntry{}, err
	}
	return f.WatchStore.Watched(ctx, eco, name)
}

func (f *flakyWatch) RecordMissing(ctx context.Context, eco policy.Ecosystem, name string, at time.Time) (store.WatchEntry, error) {
	if err := f.fail("record missing", eco, name); err != nil {
		return store.WatchEntry{}, err
	}
	return f.WatchStore.RecordMissing(ctx, eco, name, at)
}

// During a watchlist outage, requests for existing and for nonexistent
// names log "watchlist lookup failed" and "watchlist record failed" once
// when it starts, then once per 30 s with the count of failures, not once
// per request; the first success logs the recovery once.
func TestWatchlistOutageLogsNotFlood(t *testing.T) {
	logs := &lockedBuffer{}
	watch := &flakyWatch{}
	e, _ := newNPMEnv(t, envOptions{noRendered: true, watch: watch,
		logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	watch.WatchStore = e.store
	count := func(msg string) int { return strings.Count(logs.String(), `msg="`+msg+`"`) }

	watch.down.Store(true)
	const requests = 40
	burst := func(round int) {
		for i := range requests {
			resp := e.get("/npm/mature-lib")
			wantStatus(t, resp, http.StatusOK)
			resp = e.get(fmt.Sprintf("/npm/ghost-%d-%d", round, i))
			wantStatus(t, resp, http.StatusNotFound)
		}
	}
	burst(0)
	for _, msg := range []string{"watchlist lookup failed", "watchlist record failed"} {
		if n := count(msg); n != 1 {
			t.Errorf("after %d failing requests, %q logged %d times, want once\n%s", 2*requests, msg, n, logs.String())
		}
	}

	// 30 s later the outage is reported again, with how many failed.
	e.clock.Advance(31 * time.Second)
	burst(1)
	for _, msg := range []string{"watchlist lookup failed", "watchlist record failed"} {
		if n := count(msg); n != 2 {
			t.Errorf("after 31 s and %d more failing requests, %q logged %d times, want twice", 2*requests, msg, n)
		}
	}
	if !strings.Contains(logs.String(), fmt.Sprintf("failures=%d", 2*requests+1)) {
		t.Errorf("the repeated report does not count the failures (want failures=%d in a line):\n%s", 2*requests+1, logs.String())
	}

	watch.down.Store(false)
	burst(2)
	for _, msg := range []string{"watchlist lookup works again", "watchlist record works again"} {
		if n := count(msg); n != 1 {
			t.Errorf("after recovery, %q logged %d times, want once", msg, n)
		}
	}
	for _, msg := range []string{"watchlist lookup failed", "watchlist record failed"} {
		if n := count(msg); n != 2 {
			t.Errorf("after recovery, %q logged %d times in all, want 2", msg, n)
		}
	}
	if _, err := e.store.Watched(t.Context(), policy.NPM, "ghost-2-0"); err != nil {
		t.Errorf("after recovery the missing name is not watchlisted: %v", err)
	}
}

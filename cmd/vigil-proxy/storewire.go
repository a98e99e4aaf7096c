package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/vigil-proxy/vigil-proxy/store"
	"github.com/vigil-proxy/vigil-proxy/store/boltstore"
	"github.com/vigil-proxy/vigil-proxy/store/pgstore"
)

// openStore opens the configured durable store: PostgreSQL when store.url
// is set, else store.db in dataDir.
func openStore(ctx context.Context, cfg Config, dataDir string, log *slog.Logger) (store.Store, error) {
	if !cfg.Store.postgres() {
		return boltstore.Open(filepath.Join(dataDir, "store.db"), boltstore.Options{Logger: log})
	}
	pw, err := cfg.Store.password()
	if err != nil {
		return nil, err
	}
	return pgstore.Open(ctx, pgstore.Options{URL: cfg.Store.URL, Password: pw, Replica: cfg.Store.replica(),
		Logger: log.With("component", "store")})
}

// ready is /readyz: the replica can judge, which needs the lists (loaded at
// start, and not older than store.max_stale while the store is down).
func (s *stack) ready(ctx context.Context) error {
	// A stale malware feed does not fail readiness; only a required feed
	// with no index at all does (malware.required).
	return errors.Join(s.lists.Ready(ctx), s.malware.Ready())
}

// watchChanges makes the lists reread at once when another replica changes
// them; a store that is not shared has nothing to watch.
func (s *stack) watchChanges(ctx context.Context) error {
	if n, ok := s.store.(store.ChangeNotifier); ok {
		return n.WatchChanges(ctx, s.lists.Invalidate, listsResync(s.lists))
	}
	return nil
}

// listsResync is what WatchChanges calls after each (re)connection. Once the
// first LISTEN is in force the lists are reread and compared: what was
// written since they were loaded at start starts a new rendered-cache
// generation, nothing else does, so a replica's first answers stay cached.
// After a reconnection everything is judged afresh, as watchlist clears
// missed meanwhile leave no trace in the lists to compare.
func listsResync(lists *store.Lists) func() {
	connected := false // WatchChanges calls resync from one goroutine
	return func() {
		if connected {
			lists.Invalidate()
			return
		}
		connected = true
		lists.MarkStale()
	}
}

// sharedAdminState returns the session signing key (VIGIL_SESSION_KEY) and,
// on a shared store, the stores for sessions and login limits. A shared
// store with UI logins needs the key: every replica must accept the
// cookies of the others.
func sharedAdminState(cfg Config, st *stack, getenv env, hasUsers bool) (sessionKey []byte, sessions store.SessionStore, limits store.LoginLimitStore, err error) {
	k, err := secret(getenv, "VIGIL_SESSION_KEY")
	if err != nil {
		return nil, nil, nil, err
	}
	if k != "" && len(k) < 32 {
		return nil, nil, nil, errors.New("VIGIL_SESSION_KEY is shorter than 32 characters: use e.g. openssl rand -hex 32")
	}
	if cfg.Store.postgres() && hasUsers && k == "" {
		return nil, nil, nil, fmt.Errorf("VIGIL_SESSION_KEY is required with %s: every replica must sign UI sessions with the same key (e.g. openssl rand -hex 32)", key("store.url"))
	}
	sessions, _ = st.store.(store.SessionStore)
	limits, _ = st.store.(store.LoginLimitStore)
	if k != "" {
		sessionKey = []byte(k)
	}
	return sessionKey, sessions, limits, nil
}

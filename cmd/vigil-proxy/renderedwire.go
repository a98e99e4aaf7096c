package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync/atomic"

	"github.com/vigil-proxy/vigil-proxy/policy/malware"
	"github.com/vigil-proxy/vigil-proxy/proxy"
	"github.com/vigil-proxy/vigil-proxy/proxy/malwarefeed"
	"github.com/vigil-proxy/vigil-proxy/proxy/rendercache"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// wireRenderedCache opens the rendered-response cache (<dir>/rendered for
// large documents) and connects it to every change judgement depends on:
// list writes here and on other replicas (store.Lists' change hook, which
// Invalidate and the store's change notifications reach, and which a
// reread after store.lists TTL reports too), and the malware index in force.
// Configuration changes need a restart, which starts an empty cache. It
// returns a closer; with cache.rendered_max_memory 0 it does nothing.
func wireRenderedCache(cfg Config, dir string, lists *store.Lists, feed *malwarefeed.Feed, popts *proxy.Options, log *slog.Logger) (func() error, error) {
	if cfg.Cache.RenderedMaxMemory <= 0 {
		return func() error { return nil }, nil
	}
	path := filepath.Join(dir, "rendered")
	rc, err := rendercache.Open(rendercache.Options{MaxMemory: int64(cfg.Cache.RenderedMaxMemory), MaxDisk: int64(cfg.Cache.RenderedMaxDisk),
		Dir: path, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("rendered cache %s (cache.rendered_max_memory=0 disables it): %w", path, err)
	}
	lists.SetOnChange(rc.Bump)
	popts.Rendered = rc
	popts.RenderedFreshen = renderedFreshen(lists, feed, rc)
	return rc.Close, nil
}

// renderedFreshen rereads the lists when their snapshot is older than the
// TTL (a change is reported through the lists' hook) and starts a new
// generation when the malware index in force was replaced (a sync or an
// import, on this replica: each replica syncs its own feed).
func renderedFreshen(lists *store.Lists, feed *malwarefeed.Feed, rc *rendercache.Cache) func(ctx context.Context) error {
	var seen atomic.Pointer[malware.Index]
	if feed != nil {
		seen.Store(feed.Index())
	}
	return func(ctx context.Context) error {
		if feed != nil {
			if old, ix := seen.Load(), feed.Index(); ix != old && seen.CompareAndSwap(old, ix) {
				rc.Bump()
			}
		}
		return lists.Refresh(ctx)
	}
}

package popularity

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"golang.org/x/sync/singleflight"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// CacheOptions tunes Cache.
type CacheOptions struct {
	// Size is the number of names kept (default 100,000).
	Size int
	// TTL is how long an answer is kept (default and minimum 24 h: the
	// services update daily).
	TTL time.Duration
	// FetchTimeout bounds one upstream lookup, which runs detached from the
	// caller's cancellation so concurrent waiters share it (default 15 s).
	FetchTimeout time.Duration
}

// Cache remembers a source's answers in memory, including "unknown"
// answers the source gave without error (404, null), so a name is asked at
// most once per TTL. Failed lookups are not cached.
type Cache struct {
	src     Source
	lru     *expirable.LRU[string, int64] // -1 = the source does not know the name
	sf      singleflight.Group
	timeout time.Duration
}

// NewCache wraps src.
func NewCache(src Source, opts CacheOptions) *Cache {
	if opts.Size <= 0 {
		opts.Size = 100_000
	}
	opts.TTL = max(opts.TTL, 24*time.Hour)
	if opts.FetchTimeout <= 0 {
		opts.FetchTimeout = 15 * time.Second
	}
	return &Cache{src: src, lru: expirable.NewLRU[string, int64](opts.Size, nil, opts.TTL), timeout: opts.FetchTimeout}
}

// Name implements Source.
func (c *Cache) Name() string { return c.src.Name() }

func cacheKey(eco policy.Ecosystem, name string) string { return string(eco) + "\x00" + name }

// WeeklyDownloads implements Source, asking the wrapped source only for
// names not in the cache.
func (c *Cache) WeeklyDownloads(ctx context.Context, eco policy.Ecosystem, names []string) (map[string]int64, error) {
	out := map[string]int64{}
	var miss []string
	for _, n := range names {
		if w, ok := c.lru.Get(cacheKey(eco, n)); ok {
			if w >= 0 {
				out[n] = w
			}
			continue
		}
		miss = append(miss, n)
	}
	if len(miss) == 0 {
		return out, nil
	}
	// Concurrent lookups of the same names share one upstream request. It
	// runs detached, so a caller whose deadline passes returns at once
	// (unknown) while the fetch still fills the cache for later callers.
	key := string(eco) + "\x00" + strings.Join(miss, ",")
	ch := c.sf.DoChan(key, func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
		defer cancel()
		got, err := c.src.WeeklyDownloads(fctx, eco, miss)
		for n, w := range got {
			c.lru.Add(cacheKey(eco, n), w)
		}
		if err == nil {
			for _, n := range miss {
				if _, ok := got[n]; !ok {
					c.lru.Add(cacheKey(eco, n), -1)
				}
			}
		}
		return got, err
	})
	var res singleflight.Result
	select {
	case res = <-ch:
	case <-ctx.Done():
		return out, fmt.Errorf("weekly downloads: %w", ctx.Err())
	}
	got, _ := res.Val.(map[string]int64)
	err := res.Err
	for n, w := range got {
		out[n] = w
	}
	return out, err
}

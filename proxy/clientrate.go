package proxy

import (
	"context"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// clientRate is a token bucket per client address: rate tokens per second,
// up to burst. The buckets live in a bounded LRU, so many clients cannot
// grow its memory; a client evicted from it starts again with a full
// bucket, which only ever errs on the side of answering.
type clientRate struct {
	rate  float64
	burst float64
	now   func() time.Time

	mu      sync.Mutex
	buckets *lru.Cache[string, *bucket]
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxRateClients bounds how many client buckets are remembered.
const maxRateClients = 10_000

func newClientRate(perMinute, burst int, now func() time.Time) *clientRate {
	c, _ := lru.New[string, *bucket](maxRateClients) // only fails for a non-positive size
	return &clientRate{rate: float64(perMinute) / 60, burst: float64(burst), now: now, buckets: c}
}

// allow takes n tokens from client's bucket and reports whether it had them.
func (r *clientRate) allow(client string, n int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	b, ok := r.buckets.Get(client)
	if !ok {
		b = &bucket{tokens: r.burst, last: now}
		r.buckets.Add(client, b)
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = min(r.burst, b.tokens+elapsed*r.rate)
	}
	b.last = now
	if b.tokens < float64(n) {
		return false
	}
	b.tokens -= float64(n)
	return true
}

type clientKey struct{}

// clientOf is the client address a request came from ("" outside one).
func clientOf(ctx context.Context) string {
	c, _ := ctx.Value(clientKey{}).(string)
	return c
}

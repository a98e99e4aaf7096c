package popularity

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// BackoffOptions tunes the exponential backoff of one source host.
type BackoffOptions struct {
	// Initial is the first pause after a 429/5xx (default 30 s); each
	// further failure doubles it up to Max (default 1 h). A Retry-After
	// header longer than the computed pause wins.
	Initial, Max time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// backoff gates requests to one host.
type backoff struct {
	opts     BackoffOptions
	mu       sync.Mutex
	failures int
	until    time.Time
}

func newBackoff(o BackoffOptions) *backoff {
	if o.Initial <= 0 {
		o.Initial = 30 * time.Second
	}
	if o.Max <= 0 {
		o.Max = time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &backoff{opts: o}
}

func (b *backoff) now() time.Time { return b.opts.Now() }

// allow returns ErrBackoff while the host is paused.
func (b *backoff) allow() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if now := b.opts.Now(); now.Before(b.until) {
		return fmt.Errorf("%w for %s", ErrBackoff, b.until.Sub(now).Round(time.Second))
	}
	return nil
}

// failure records a 429/5xx or transport error; retry is the pause the
// server asked for (0 when none).
func (b *backoff) failure(retry time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures++
	d := b.opts.Initial
	for i := 1; i < b.failures && d < b.opts.Max; i++ {
		d *= 2
	}
	d = min(d, b.opts.Max)
	d = max(d, min(retry, 24*time.Hour))
	b.until = b.opts.Now().Add(d)
}

func (b *backoff) success() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures = 0
	b.until = time.Time{}
}

// retryAfter parses a Retry-After header: delay seconds or an HTTP date.
func retryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

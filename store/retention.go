package store

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Prune deletes events older than retention, once at start and then every
// interval, until ctx is done; it then returns nil. Failures are logged and
// retried at the next interval. now is the clock the cutoff is computed from
// (time.Now when nil); log may be nil.
func Prune(ctx context.Context, es EventStore, retention, every time.Duration, now func() time.Time, log *slog.Logger) error {
	if retention <= 0 {
		return fmt.Errorf("prune events: retention %v: must be positive: %w", retention, ErrInvalid)
	}
	if every <= 0 {
		return fmt.Errorf("prune events: interval %v: must be positive: %w", every, ErrInvalid)
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		cutoff := now().Add(-retention)
		n, err := es.PruneEvents(ctx, cutoff)
		switch {
		case err != nil && ctx.Err() == nil:
			log.ErrorContext(ctx, "prune audit events", "error", err, "cutoff", cutoff)
		case n > 0:
			log.InfoContext(ctx, "pruned audit events", "deleted", n, "cutoff", cutoff)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

package store

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// SizePruner is an EventStore that can bound its audit trail by size.
type SizePruner interface {
	// PruneEventsToSize deletes the oldest events until the live audit data
	// is at most maxBytes, and returns how many it deleted.
	PruneEventsToSize(ctx context.Context, maxBytes int64) (int, error)
}

// RetentionOptions configure RunRetention. A zero Retention or MaxBytes
// disables that bound.
type RetentionOptions struct {
	Retention time.Duration // events older than this are deleted
	MaxBytes  int64         // live audit data above this loses its oldest events (SizePruner only)
	Every     time.Duration // how often (default 1h)
	Now       func() time.Time
	Logger    *slog.Logger
	// OnPruned is told how many events each bound deleted ("age", "size"),
	// e.g. for a metric.
	OnPruned func(reason string, n int)
}

// RunRetention applies the retention bounds now and then every opts.Every
// until ctx is done: first by age, then (when es is a SizePruner) by size,
// the oldest events first.
func RunRetention(ctx context.Context, es EventStore, opts RetentionOptions) error {
	if opts.Retention < 0 || opts.MaxBytes < 0 {
		return fmt.Errorf("audit retention: negative bound: %w", ErrInvalid)
	}
	if opts.Every <= 0 {
		opts.Every = time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.OnPruned == nil {
		opts.OnPruned = func(string, int) {}
	}
	sp, sizeable := es.(SizePruner)
	t := time.NewTicker(opts.Every)
	defer t.Stop()
	for {
		if opts.Retention > 0 {
			cutoff := opts.Now().Add(-opts.Retention)
			n, err := es.PruneEvents(ctx, cutoff)
			switch {
			case err != nil && ctx.Err() == nil:
				opts.Logger.ErrorContext(ctx, "prune audit events", "error", err, "cutoff", cutoff)
			case n > 0:
				opts.Logger.InfoContext(ctx, "pruned audit events by age", "deleted", n, "cutoff", cutoff)
				opts.OnPruned("age", n)
			}
		}
		if opts.MaxBytes > 0 && sizeable {
			n, err := sp.PruneEventsToSize(ctx, opts.MaxBytes)
			switch {
			case err != nil && ctx.Err() == nil:
				opts.Logger.ErrorContext(ctx, "prune audit events by size", "error", err, "max_bytes", opts.MaxBytes)
			case n > 0:
				opts.Logger.InfoContext(ctx, "pruned audit events by size (oldest first)", "deleted", n, "max_bytes", opts.MaxBytes)
				opts.OnPruned("size", n)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

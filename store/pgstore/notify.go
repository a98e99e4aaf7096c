package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Reconnect delays for WatchChanges.
const (
	minReconnect = 100 * time.Millisecond
	maxReconnect = 5 * time.Second
)

// WatchChanges listens on a dedicated connection for the notifications that
// entry writes send and calls changed for each, and resync after every
// (re)connection, since changes may have been missed before it. It
// reconnects with backoff until ctx is done, then returns nil.
func (s *Store) WatchChanges(ctx context.Context, changed, resync func()) error {
	return s.watch(ctx, changeChannel, changed, resync)
}

// watch is WatchChanges on any channel.
func (s *Store) watch(ctx context.Context, channel string, changed, resync func()) error {
	delay := minReconnect
	for ctx.Err() == nil {
		err := s.listen(ctx, channel, changed, func() { delay = minReconnect; resync() })
		if ctx.Err() != nil {
			break
		}
		s.log.WarnContext(ctx, "store change notifications interrupted; reconnecting", "error", err, "retry_in", delay)
		select {
		case <-ctx.Done():
		case <-time.After(delay):
		}
		delay = min(2*delay, maxReconnect)
	}
	return nil
}

// listen holds one LISTEN connection until it fails or ctx is done; it
// calls connected once LISTEN is in force.
func (s *Store) listen(ctx context.Context, channel string, changed, connected func()) error {
	conn, err := pgx.ConnectConfig(ctx, s.cfg.ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	connected()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return fmt.Errorf("wait for notification: %w", err)
		}
		changed()
	}
}

package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vigil-proxy/vigil-proxy/store"
)

// PutSession creates or replaces an admin session.
func (s *Store) PutSession(ctx context.Context, sess store.Session) error {
	if !validKey(sess.ID) {
		return fmt.Errorf("put session: bad ID: %w", store.ErrInvalid)
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO vigil_sessions (id, username, role, csrf, expires) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (id) DO UPDATE SET username = EXCLUDED.username, role = EXCLUDED.role, csrf = EXCLUDED.csrf, expires = EXCLUDED.expires`,
		sess.ID, text(sess.User), text(sess.Role), text(sess.CSRF), sess.Expires)
	if err != nil {
		return fmt.Errorf("put session: %w", err)
	}
	return nil
}

// GetSession returns the session with that ID, or store.ErrNotFound when
// it is missing or expired at now.
func (s *Store) GetSession(ctx context.Context, id string, now time.Time) (store.Session, error) {
	if !validKey(id) {
		return store.Session{}, fmt.Errorf("get session: %w", store.ErrNotFound)
	}
	sess := store.Session{ID: id}
	err := s.pool.QueryRow(ctx, "SELECT username, role, csrf, expires FROM vigil_sessions WHERE id = $1 AND expires > $2", id, now).
		Scan(&sess.User, &sess.Role, &sess.CSRF, &sess.Expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Session{}, fmt.Errorf("get session: %w", store.ErrNotFound)
	}
	if err != nil {
		return store.Session{}, fmt.Errorf("get session: %w", err)
	}
	return sess, nil
}

// DeleteSession removes a session (a missing one is not an error).
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if !validKey(id) {
		return nil
	}
	if _, err := s.pool.Exec(ctx, "DELETE FROM vigil_sessions WHERE id = $1", id); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// PruneSessions deletes sessions expired at now.
func (s *Store) PruneSessions(ctx context.Context, now time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, "DELETE FROM vigil_sessions WHERE expires <= $1", now)
	if err != nil {
		return 0, fmt.Errorf("prune sessions: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// TakeLoginToken takes a token from key's bucket under a row lock, so that
// attempts spread over replicas share one budget.
func (s *Store) TakeLoginToken(ctx context.Context, key string, burst int, every time.Duration, now time.Time) (bool, time.Duration, error) {
	if burst <= 0 || every <= 0 {
		return false, 0, fmt.Errorf("take login token: burst %d and interval %s must be positive: %w", burst, every, store.ErrInvalid)
	}
	key = text(key)
	var (
		ok   bool
		wait time.Duration
	)
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO vigil_login_limits (key, tokens, last) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
			key, float64(burst), now); err != nil {
			return err
		}
		var (
			tokens float64
			last   time.Time
		)
		if err := tx.QueryRow(ctx, "SELECT tokens, last FROM vigil_login_limits WHERE key = $1 FOR UPDATE", key).Scan(&tokens, &last); err != nil {
			return err
		}
		if elapsed := now.Sub(last); elapsed > 0 {
			tokens = min(float64(burst), tokens+float64(elapsed)/float64(every))
			last = now
		}
		if tokens < 1 {
			wait = time.Duration((1 - tokens) * float64(every))
		} else {
			tokens--
			ok = true
		}
		_, err := tx.Exec(ctx, "UPDATE vigil_login_limits SET tokens = $2, last = $3 WHERE key = $1", key, tokens, last)
		return err
	})
	if err != nil {
		return false, 0, fmt.Errorf("take login token: %w", err)
	}
	return ok, wait, nil
}

// PruneLoginLimits deletes buckets that have refilled completely at now.
func (s *Store) PruneLoginLimits(ctx context.Context, burst int, every time.Duration, now time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM vigil_login_limits
WHERE tokens + extract(epoch FROM ($1::timestamptz - last)) / $2 >= $3`, now, every.Seconds(), float64(burst))
	if err != nil {
		return 0, fmt.Errorf("prune login limits: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

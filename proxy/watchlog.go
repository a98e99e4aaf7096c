package proxy

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// watchFailureReportEvery spaces the log lines of a watchlist operation
// that keeps failing for the same cause (the store is down: every request
// for a missing or watchlisted name fails the same way).
const watchFailureReportEvery = 30 * time.Second

// Watchlist operations, each followed on its own.
const (
	watchLookup = "lookup" // Watched
	watchRecord = "record" // RecordMissing
	watchUpdate = "update" // MarkAppeared, ForgetWatched
)

// watchFailures decides which failures of watchlist operations are logged:
// the first of an outage, one whose cause differs from the last logged, and
// one every watchFailureReportEvery while it lasts; the first success after
// failures logs the recovery. Lines in between are counted, not written.
type watchFailures struct {
	mu  sync.Mutex
	ops map[string]*watchOutage
}

// watchOutage is the current run of failures of one operation.
type watchOutage struct {
	since      time.Time // first failure
	lastReport time.Time
	cause      string // of the last report
	failures   int    // since since
	unreported int    // since lastReport
}

// failed logs, when it is due, msg at WARN for a failure of op with err and
// attrs; the line says how many failures the outage has had and how many
// were not logged.
func (w *watchFailures) failed(ctx context.Context, log *slog.Logger, op, msg string, now time.Time, err error, attrs ...any) {
	cause := rootCause(err)
	w.mu.Lock()
	if w.ops == nil {
		w.ops = map[string]*watchOutage{}
	}
	o := w.ops[op]
	if o == nil {
		o = &watchOutage{since: now}
		w.ops[op] = o
	}
	o.failures++
	due := o.failures == 1 || cause != o.cause || now.Sub(o.lastReport) >= watchFailureReportEvery
	if !due {
		o.unreported++
		w.mu.Unlock()
		return
	}
	attrs = append(attrs, "error", err, "failures", o.failures, "not_logged", o.unreported,
		"failing_for", now.Sub(o.since).Round(time.Millisecond))
	o.cause, o.lastReport, o.unreported = cause, now, 0
	w.mu.Unlock()
	log.WarnContext(ctx, msg, attrs...)
}

// succeeded ends op's outage, if any, logging the recovery once.
func (w *watchFailures) succeeded(ctx context.Context, log *slog.Logger, op string, now time.Time) {
	w.mu.Lock()
	o := w.ops[op]
	if o == nil {
		w.mu.Unlock()
		return
	}
	delete(w.ops, op)
	w.mu.Unlock()
	log.InfoContext(ctx, "watchlist "+op+" works again", "failures", o.failures,
		"failing_for", now.Sub(o.since).Round(time.Millisecond))
}

// rootCause is the innermost error's message: the same for every request
// while the store fails the same way, whatever name the request was for.
func rootCause(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err.Error()
		}
		err = u
	}
}

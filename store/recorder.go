package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Recorder defaults.
const (
	DefaultRecorderBuffer     = 4096
	DefaultRecorderFlushEvery = 200 * time.Millisecond
	DefaultRecorderBatchSize  = 256
	// drainTimeout bounds the final flush after Run's context is done.
	drainTimeout = 5 * time.Second
	// failureReportEvery spaces the reports of a store that keeps failing.
	failureReportEvery = 30 * time.Second
)

// MaxEventField bounds, in bytes, the event fields a client controls (its
// User-Agent, the version and file it asked for): Record truncates them, so
// huge headers cannot fill the queue's memory or the audit database.
const MaxEventField = 512

// RecorderOptions configure a Recorder. Zero fields take the defaults.
type RecorderOptions struct {
	// Buffer is how many events may wait to be written (default 4096).
	Buffer int
	// FlushEvery is the longest an event waits in the buffer (default 200ms).
	FlushEvery time.Duration
	// BatchSize is the most events written per store call (default 256). A
	// full batch is written without waiting for FlushEvery.
	BatchSize int
	// Logger receives drop and write-failure reports (discarded when nil).
	Logger *slog.Logger
	// Now stamps events recorded with a zero Time (time.Now when nil).
	Now func() time.Time
}

// Recorder batches audit events off the request path: Record queues an event
// without blocking and Run writes queued events to the EventStore. A batch
// the store cannot take (a database restart, a full disk) is kept and
// written again on the next flush, ahead of newer events; while it waits,
// new events queue up to the buffer's size and only events beyond it are
// dropped.
type Recorder struct {
	es    EventStore
	opts  RecorderOptions
	queue chan Event
	kick  chan struct{} // a batch is ready

	flushMu sync.Mutex // one writer at a time keeps batches in order
	// Guarded by flushMu:
	pending       []Event   // the batch being written, kept while the store fails
	failingSince  time.Time // zero while writes succeed
	lastFailure   time.Time // when a failure was last reported
	failedFlushes int       // since failingSince

	dropped     atomic.Uint64
	lastDropLog atomic.Int64 // unix nanos of the last drop report
}

// NewRecorder returns a Recorder writing to es.
func NewRecorder(es EventStore, opts RecorderOptions) *Recorder {
	if opts.Buffer <= 0 {
		opts.Buffer = DefaultRecorderBuffer
	}
	if opts.FlushEvery <= 0 {
		opts.FlushEvery = DefaultRecorderFlushEvery
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultRecorderBatchSize
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Recorder{
		es:    es,
		opts:  opts,
		queue: make(chan Event, opts.Buffer),
		kick:  make(chan struct{}, 1),
	}
}

// Record queues ev for writing. It never blocks: when the buffer is full the
// event is dropped, counted, and reported at most once per second (of
// RecorderOptions.Now). A zero Time is set to the time of the call.
func (r *Recorder) Record(ev Event) {
	if ev.Time.IsZero() {
		ev.Time = r.opts.Now()
	}
	for _, f := range []*string{&ev.Client, &ev.Version, &ev.File, &ev.Route} {
		*f = truncateField(*f, MaxEventField)
	}
	select {
	case r.queue <- ev:
		if len(r.queue) >= r.opts.BatchSize {
			select {
			case r.kick <- struct{}{}:
			default:
			}
		}
	default:
		n := r.dropped.Add(1)
		now := r.opts.Now().UnixNano()
		last := r.lastDropLog.Load()
		if now-last >= int64(time.Second) && r.lastDropLog.CompareAndSwap(last, now) {
			r.opts.Logger.Warn("audit event buffer full, dropping events", "dropped_total", n)
		}
	}
}

// Dropped returns how many events were dropped: the buffer was full (the
// store was slow or failing for longer than the buffer lasts), the store
// refused an event as invalid, or the final drain could not write them.
func (r *Recorder) Dropped() uint64 { return r.dropped.Load() }

// Run writes queued events every FlushEvery (or as soon as a batch is full)
// until ctx is done, then writes what is still queued and returns. A store
// failure is logged when it starts (and every 30 s while it lasts) and its
// end when a write succeeds again; the events are kept and retried. Run
// returns nil when it stops because ctx is done, or the final flush's error.
func (r *Recorder) Run(ctx context.Context) error {
	t := time.NewTicker(r.opts.FlushEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drainTimeout)
			defer cancel()
			if err := r.Flush(dctx); err != nil {
				lost := r.abandon()
				return fmt.Errorf("drain audit events (%d not written): %w", lost, err)
			}
			return nil
		case <-t.C:
		case <-r.kick:
		}
		// A flush under way finishes even if ctx ends meanwhile.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drainTimeout)
		err := r.Flush(fctx)
		cancel()
		r.report(ctx, err)
	}
}

// report logs the start of a run of failed flushes (and again every
// failureReportEvery while it lasts) and its end.
func (r *Recorder) report(ctx context.Context, err error) {
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	now := r.opts.Now()
	if err == nil {
		if !r.failingSince.IsZero() {
			r.opts.Logger.InfoContext(ctx, "audit events written again", "failing_for", now.Sub(r.failingSince).Round(time.Millisecond), "failed_attempts", r.failedFlushes)
			r.failingSince, r.failedFlushes = time.Time{}, 0
		}
		return
	}
	if len(r.pending) == 0 { // events refused as invalid: dropped, nothing waits
		r.opts.Logger.ErrorContext(ctx, "write audit events", "error", err)
		return
	}
	r.failedFlushes++
	if r.failingSince.IsZero() {
		r.failingSince = now
	} else if now.Sub(r.lastFailure) < failureReportEvery {
		return
	}
	r.lastFailure = now
	r.opts.Logger.ErrorContext(ctx, "write audit events; keeping them to retry", "error", err,
		"waiting", len(r.pending)+len(r.queue), "buffer", r.opts.Buffer, "dropped_total", r.dropped.Load())
}

// abandon drops every event still waiting (after a final flush failed) and
// returns how many there were.
func (r *Recorder) abandon() int {
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	n := len(r.pending)
	r.pending = nil
	for len(r.queue) > 0 {
		<-r.queue
		n++
	}
	r.dropped.Add(uint64(n))
	return n
}

// Flush synchronously writes every event queued at the time of the call
// (and any batch an earlier flush could not write, first), in batches of
// BatchSize. When the store fails, Flush stops: the failed batch is kept to
// be written first next time, later events stay queued, and the error is
// returned. A batch the store refuses as invalid (ErrInvalid) is written
// event by event instead, and only the events it refuses are dropped.
func (r *Recorder) Flush(ctx context.Context) error {
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	var invalid error
	for n := len(r.queue); ; {
		for len(r.pending) < r.opts.BatchSize && n > 0 {
			r.pending = append(r.pending, <-r.queue)
			n--
		}
		if len(r.pending) == 0 {
			break
		}
		err := r.es.RecordEvents(ctx, r.pending...)
		if errors.Is(err, ErrInvalid) {
			var refused error
			refused, err = r.salvage(ctx)
			if invalid == nil {
				invalid = refused
			}
		}
		if err != nil {
			return fmt.Errorf("write audit events (%d kept to retry): %w", len(r.pending)+len(r.queue), err)
		}
		r.pending = r.pending[:0]
	}
	if invalid != nil {
		return fmt.Errorf("write audit events: %w", invalid)
	}
	return nil
}

// salvage writes the pending batch one event at a time after the store
// refused it as invalid, dropping (and counting) only the events it refuses
// as invalid. It returns what the store said of the first refused event,
// and any other error, which stops it with the events not yet written left
// pending. The caller holds flushMu.
func (r *Recorder) salvage(ctx context.Context) (refused, err error) {
	lost := 0
	for i, ev := range r.pending {
		werr := r.es.RecordEvents(ctx, ev)
		switch {
		case werr == nil:
		case errors.Is(werr, ErrInvalid):
			lost++
			if refused == nil {
				refused = werr
			}
		default:
			r.pending = append(r.pending[:0], r.pending[i:]...)
			err = werr
		}
		if err != nil {
			break
		}
	}
	r.dropped.Add(uint64(lost))
	if refused != nil {
		refused = fmt.Errorf("%d events refused and dropped: %w", lost, refused)
	}
	return refused, err
}

// truncateField cuts s to at most limit bytes on a rune boundary, marking
// the cut with "…".
func truncateField(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	const mark = "…"
	cut := limit - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}

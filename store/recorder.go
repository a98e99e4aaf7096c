package store

import (
	"context"
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
// without blocking and Run writes queued events to the EventStore.
type Recorder struct {
	es    EventStore
	opts  RecorderOptions
	queue chan Event
	kick  chan struct{} // a batch is ready

	flushMu sync.Mutex // one writer at a time keeps batches in order

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

// Dropped returns how many events were dropped: buffer full, or lost when
// the store refused a batch.
func (r *Recorder) Dropped() uint64 { return r.dropped.Load() }

// Run writes queued events every FlushEvery (or as soon as a batch is full)
// until ctx is done, then writes what is still queued and returns. Write
// failures are logged and the failed batch dropped; Run returns nil when it
// stops because ctx is done, or the final flush's error.
func (r *Recorder) Run(ctx context.Context) error {
	t := time.NewTicker(r.opts.FlushEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drainTimeout)
			defer cancel()
			if err := r.Flush(dctx); err != nil {
				return fmt.Errorf("drain audit events: %w", err)
			}
			return nil
		case <-t.C:
		case <-r.kick:
		}
		// A flush under way finishes even if ctx ends meanwhile.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drainTimeout)
		if err := r.Flush(fctx); err != nil {
			r.opts.Logger.ErrorContext(ctx, "write audit events", "error", err)
		}
		cancel()
	}
}

// Flush synchronously writes every event queued at the time of the call, in
// batches of BatchSize. A batch the store refuses is dropped (and counted);
// Flush carries on with the rest and returns the errors joined.
func (r *Recorder) Flush(ctx context.Context) error {
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	var firstErr error
	failed := 0
	for n := len(r.queue); n > 0; {
		size := min(n, r.opts.BatchSize)
		batch := make([]Event, 0, size)
		for range size {
			batch = append(batch, <-r.queue)
		}
		n -= size
		if err := r.es.RecordEvents(ctx, batch...); err != nil {
			r.dropped.Add(uint64(len(batch)))
			failed += len(batch)
			if firstErr == nil {
				firstErr = err
			}
		}
	}
	if firstErr != nil {
		return fmt.Errorf("write audit events (%d lost): %w", failed, firstErr)
	}
	return nil
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

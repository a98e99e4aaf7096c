package proxy

import (
	"sync"
	"time"
)

// notReadyReportEvery spaces the log lines of a /readyz that keeps failing
// for the same reason.
const notReadyReportEvery = 30 * time.Second

// notReadyReports decides which failing /readyz answers are logged: the
// first, one whose cause differs from the last logged, and one every
// notReadyReportEvery while the cause stays the same.
type notReadyReports struct {
	mu    sync.Mutex
	cause string
	at    time.Time
}

func (r *notReadyReports) due(cause string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if cause == r.cause && now.Sub(r.at) < notReadyReportEvery {
		return false
	}
	r.cause, r.at = cause, now
	return true
}

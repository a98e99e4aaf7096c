package proxy

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// A new cause is logged at once, whatever the interval; the same cause for
// other names is not.
func TestWatchFailuresLogCauseChanges(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	var w watchFailures
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	refused := errors.New("dial tcp 10.0.0.5:5432: connect: connection refused")
	full := errors.New("ERROR: could not extend file: No space left on device (SQLSTATE 53100)")
	for i, cause := range []error{refused, refused, refused, full, full, refused} {
		err := fmt.Errorf("record missing npm:ghost-%d: %w", i, cause)
		w.failed(t.Context(), log, watchRecord, "watchlist record failed", now.Add(time.Duration(i)*time.Second), err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	var got []string
	for _, l := range lines {
		switch {
		case strings.Contains(l, "connection refused"):
			got = append(got, "refused")
		case strings.Contains(l, "No space left"):
			got = append(got, "full")
		}
	}
	if want := "refused full refused"; strings.Join(got, " ") != want {
		t.Errorf("logged causes = %v, want %s; log:\n%s", got, want, buf.String())
	}
	if !strings.Contains(lines[len(lines)-1], "failures=6") || !strings.Contains(lines[len(lines)-1], "not_logged=1") {
		t.Errorf("last line %q does not count 6 failures, 1 not logged", lines[len(lines)-1])
	}
}

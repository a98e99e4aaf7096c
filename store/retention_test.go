package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPruneLoop(t *testing.T) {
	clk := &fakeClock{t: t0}
	es := &memEvents{}
	// Events at t0-3d, t0-2d, t0-1d, t0.
	for d := 3; d >= 0; d-- {
		if err := es.RecordEvents(t.Context(), Event{Kind: KindAdmin, Package: "x", Time: t0.Add(-time.Duration(d) * 24 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	remaining := func() int {
		evs, _, _ := es.Events(t.Context(), EventQuery{})
		return len(evs)
	}
	waitFor := func(want int) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second) // ends at once when it holds
		for remaining() != want {
			if time.Now().After(deadline) {
				t.Fatalf("%d events remain, want %d", remaining(), want)
			}
			time.Sleep(time.Millisecond)
		}
	}

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- Prune(ctx, es, 36*time.Hour, time.Millisecond, clk.Now, nil) }()

	waitFor(2) // the first pass, at start: cutoff t0-36h removes -3d and -2d
	clk.Advance(24 * time.Hour)
	waitFor(1) // cutoff t0-12h removes -1d
	clk.Advance(48 * time.Hour)
	waitFor(0)

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Prune returned %v, want nil on cancel", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Prune did not stop after cancel")
	}
}

func TestPruneInvalidArgs(t *testing.T) {
	es := &memEvents{}
	tests := []struct {
		name             string
		retention, every time.Duration
	}{
		{"zero retention", 0, time.Hour},
		{"negative interval", time.Hour, -time.Second},
	}
	for _, tc := range tests {
		if err := Prune(t.Context(), es, tc.retention, tc.every, nil, nil); !errors.Is(err, ErrInvalid) {
			t.Errorf("Prune(%s) error = %v, want ErrInvalid", tc.name, err)
		}
	}
}

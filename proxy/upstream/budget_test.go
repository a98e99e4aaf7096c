package upstream

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The budget bounds what all readers hold: a new reader waits for room (as
// long as its context allows), a growing one gives up with ErrBusy, and
// released budget serves the next reader.
func TestMemoryBudget(t *testing.T) {
	b := newMemoryBudget(100)
	r1 := b.reserve(context.Background())
	if err := r1.take(80); err != nil {
		t.Fatalf("first take: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	r2 := b.reserve(ctx)
	if err := r2.take(30); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a new reader over budget: %v, want it to wait until its deadline", err)
	}
	start := time.Now()
	if err := r1.take(30); !errors.Is(err, ErrBusy) {
		t.Errorf("a growing reader over budget: %v, want ErrBusy", err)
	}
	// It waits for memory to free up, then gives up; the upper bound only
	// catches a hang (a loaded CI machine can add seconds to the wait).
	if waited := time.Since(start); waited < growWait/2 || waited > growWait+10*time.Second {
		t.Errorf("a growing reader waited %s, want about %s", waited, growWait)
	}
	if err := b.reserve(context.Background()).take(101); !errors.Is(err, ErrBusy) {
		t.Errorf("a document larger than the whole budget: %v, want ErrBusy at once", err)
	}
	r1.release(false)
	r3 := b.reserve(context.Background())
	if err := r3.take(100); err != nil {
		t.Errorf("after release, the whole budget: %v", err)
	}
	r3.release(true)
	if got := b.inUse.Load(); got != 0 {
		t.Errorf("in use after every release: %d, want 0", got)
	}
}

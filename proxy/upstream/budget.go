package upstream

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
)

// ErrBusy reports that the memory budget for documents being read is spent
// (Options.MaxInflightBytes): many large documents, or decompression bombs,
// are in flight at once. Nothing is wrong upstream; try again shortly.
var ErrBusy = errors.New("memory budget for upstream documents in flight is exhausted")

// growWait bounds how long a document already being read waits for more
// budget before it gives up (so readers holding budget cannot wait on each
// other for long).
const growWait = 2 * time.Second

// releaseAfter is how much budget must have been used since memory was last
// handed back to the OS before the next idle moment hands it back again
// (half of it held by one refused document triggers a collection).
const releaseAfter = 64 << 20

// memoryBudget bounds the bytes all in-flight document reads hold, and hands
// memory back to the operating system after a burst.
type memoryBudget struct {
	sem       *semaphore.Weighted
	size      int64
	inUse     atomic.Int64
	sinceFree atomic.Int64
	freeing   atomic.Bool
}

func newMemoryBudget(size int64) *memoryBudget {
	return &memoryBudget{sem: semaphore.NewWeighted(size), size: size}
}

// reservation is one document's share of the budget.
type reservation struct {
	b    *memoryBudget
	ctx  context.Context
	held int64
}

func (b *memoryBudget) reserve(ctx context.Context) *reservation {
	return &reservation{b: b, ctx: ctx}
}

// take adds n bytes to the reservation. The first take waits for budget as
// long as ctx allows; later ones (the document is growing) wait at most
// growWait.
func (r *reservation) take(n int64) error {
	if n > r.b.size {
		return fmt.Errorf("%w: one document needs %d bytes, the budget is %d", ErrBusy, n, r.b.size)
	}
	ctx := r.ctx
	if r.held > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, growWait)
		defer cancel()
	}
	if err := r.b.sem.Acquire(ctx, n); err != nil {
		if r.ctx.Err() != nil {
			return r.ctx.Err()
		}
		return fmt.Errorf("%w (%d bytes in use)", ErrBusy, r.b.inUse.Load())
	}
	r.held += n
	r.b.inUse.Add(n)
	r.b.sinceFree.Add(n)
	return nil
}

// release returns everything the reservation holds. failed says the bytes
// read are garbage now (a refused document: oversize, a decompression
// bomb). Memory goes back to the OS when a refused document held a lot (so a
// stream of bombs does not pile up garbage between collections) and when no
// document is being read any more after a burst, so RSS does not stay at
// the burst's peak; at most once a second.
func (r *reservation) release(failed bool) {
	if r.held == 0 {
		return
	}
	held := r.held
	r.b.sem.Release(held)
	idle := r.b.inUse.Add(-held) == 0
	r.held = 0
	switch {
	case failed && held >= releaseAfter/2:
		// A refused document left a lot of garbage: collect it before the
		// next reader allocates as much again.
		r.b.freeMemory()
	case idle && r.b.sinceFree.Load() >= releaseAfter:
		// The burst is over: hand the memory back, a moment later so that
		// a burst's last readers do not each pay for it.
		time.AfterFunc(time.Second, func() {
			if r.b.inUse.Load() == 0 {
				r.b.freeMemory()
			}
		})
	}
}

// freeMemory collects garbage and returns free memory to the OS, one call
// at a time (concurrent callers skip: the running call serves them).
func (b *memoryBudget) freeMemory() {
	if !b.freeing.CompareAndSwap(false, true) {
		return
	}
	defer b.freeing.Store(false)
	b.sinceFree.Store(0)
	debug.FreeOSMemory()
}

// Reserve takes n bytes of the client's budget for bytes in flight for a
// response read outside the client (a popularity lookup), waiting as long
// as ctx allows, so that every upstream read shares one bound. The release
// function hands them back; call it once.
func (c *Client) Reserve(ctx context.Context, n int64) (release func(), err error) {
	r := c.budget.reserve(ctx)
	if err := r.take(n); err != nil {
		return nil, fmt.Errorf("reserve %d bytes of the upstream budget: %w", n, err)
	}
	return func() { r.release(false) }, nil
}

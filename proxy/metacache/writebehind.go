package metacache

import (
	"sync"
)

// writeQueueSize bounds the L2 writes waiting for the writer; past it a
// refresh writes synchronously (back-pressure instead of unbounded memory).
const writeQueueSize = 256

// writeBehind applies L2 writes of refreshed entries in one goroutine, in
// order, so that a cold miss answers as soon as its document is in L1
// instead of waiting for bbolt's fsync (milliseconds, and far more on a
// busy disk). Operations that must see every earlier write (Invalidate,
// Prune) wait for the queue first; Close drains it.
type writeBehind struct {
	mu     sync.RWMutex // guards closed against sends; held shared while sending
	closed bool
	queue  chan l2Op
	done   chan struct{}
}

// l2Op is one queued write, or a barrier (flushed != nil).
type l2Op struct {
	key     string
	rec     record
	touch   bool
	flushed chan struct{}
}

func newWriteBehind() *writeBehind {
	return &writeBehind{queue: make(chan l2Op, writeQueueSize), done: make(chan struct{})}
}

// run applies queued operations until the queue is closed.
func (c *Cache) runWriteBehind() {
	defer close(c.wb.done)
	for op := range c.wb.queue {
		c.applyL2(op)
	}
}

func (c *Cache) applyL2(op l2Op) {
	var err error
	switch {
	case op.flushed != nil:
		close(op.flushed)
		return
	case op.touch:
		err = c.l2Touch(op.key, op.rec)
	default:
		err = c.l2Put(op.key, op.rec)
	}
	if err != nil {
		c.log.Warn("metadata cache write failed", "key", op.key, "error", err)
	}
}

// writeL2 queues a put (or a touch) of key; when the queue is full or
// closed it is applied at once.
func (c *Cache) writeL2(op l2Op) {
	c.wb.mu.RLock()
	if !c.wb.closed {
		select {
		case c.wb.queue <- op:
			c.wb.mu.RUnlock()
			return
		default:
		}
	}
	c.wb.mu.RUnlock()
	c.applyL2(op)
}

// flushL2 returns once every write queued before it has been applied.
func (c *Cache) flushL2() {
	flushed := make(chan struct{})
	c.wb.mu.RLock()
	if c.wb.closed {
		c.wb.mu.RUnlock()
		return
	}
	c.wb.queue <- l2Op{flushed: flushed}
	c.wb.mu.RUnlock()
	<-flushed
}

// stopWriteBehind applies the queued writes and stops the writer.
func (c *Cache) stopWriteBehind() {
	c.wb.mu.Lock()
	if c.wb.closed {
		c.wb.mu.Unlock()
		<-c.wb.done
		return
	}
	c.wb.closed = true
	close(c.wb.queue)
	c.wb.mu.Unlock()
	<-c.wb.done
}

package pool

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// inputCtx is the ctx of the inputs one Map or Stream loop runs under a
// deadline. It is one ctx for the loop, not one per input: what ends it is the
// job's end or the deadline of the input running, after which the loop runs
// no other input. Like the ctx of inputs without a deadline, it does not end
// when fn returns, so fn should not keep it.
//
// It is a type of its own, not a context.WithCancelCause of the loop's ctx, so
// that a deadline ends it, and every ctx derived from it, with
// context.DeadlineExceeded rather than context.Canceled.
type inputCtx struct {
	parent  context.Context // the loop's: the job's ctx with the worker's Local values
	clock   *timed
	w       *watchdog
	expired atomic.Bool // the deadline of the input running has passed

	mu     sync.Mutex    // guards done and closed
	done   chan struct{} // made on the first call to Done
	closed bool          // done is closed
}

// expire ends the ctx with context.DeadlineExceeded.
func (c *inputCtx) expire() {
	c.expired.Store(true)
	// Done reads expired under mu before it makes a channel: either it sees
	// it, or the channel it made is closed here.
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeDone()
}

// closeDone closes done, made by Done, once. c.mu must be held.
func (c *inputCtx) closeDone() {
	if c.done != nil && !c.closed {
		c.closed = true
		close(c.done)
	}
}

// Done returns a channel closed when the input's deadline passes or the job
// ends.
func (c *inputCtx) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.done != nil:
	case c.expired.Load() || c.parent.Err() != nil:
		c.done, c.closed = closedChan, true
	default:
		c.done = make(chan struct{})
		// The job's ctx is cancelled when the job ends: this does not outlive it.
		context.AfterFunc(c.parent, func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.closeDone()
		})
	}
	return c.done
}

// Err returns context.DeadlineExceeded once the input's deadline has passed,
// and otherwise the job ctx's error. Under a precise watchdog it reads the
// clock, and fails the input itself when its deadline has passed, rather than
// leave it to the watchdog's next tick.
func (c *inputCtx) Err() error {
	if c.w.precise && !c.expired.Load() {
		if item := c.clock.item.Load(); item != 0 && c.w.now()-c.clock.start.Load() >= int64(c.w.d) {
			c.clock.loop.timeUp(int(item - 1))
		}
	}
	if c.expired.Load() {
		c.closeDoneLocked() // expire may not have closed it yet
		return context.DeadlineExceeded
	}
	err := c.parent.Err()
	if err != nil {
		c.closeDoneLocked() // the AfterFunc's goroutine may not have run yet
	}
	return err
}

// closeDoneLocked closes done, if made, under mu: so that Done is closed by
// the time Err reports non-nil, as context.Context requires.
func (c *inputCtx) closeDoneLocked() {
	c.mu.Lock()
	c.closeDone()
	c.mu.Unlock()
}

// Value looks key up in the loop's ctx.
func (c *inputCtx) Value(key any) any { return c.parent.Value(key) }

func (c *inputCtx) String() string { return "pool input context" }

// Deadline returns when the watchdog means to fail the input running: d
// after it first saw it, or after its next scan when it has not yet (never
// before d after the input started); or the parent's deadline when earlier.
func (c *inputCtx) Deadline() (time.Time, bool) {
	if c.w.precise {
		return c.dueBy(c.w.epoch.Add(time.Duration(c.clock.start.Load()) + c.w.d))
	}
	// seen is loaded before start, which scan stores first: start is then
	// when scan first saw that input or a later one.
	w, item := c.w, c.clock.item.Load()
	seen := c.clock.seen.Load() == item
	at := c.clock.start.Load()
	if !seen { // its next scan, late or not, sees it
		at = max(w.tick.Load()+int64(w.every), w.now())
	}
	return c.dueBy(w.epoch.Add(time.Duration(at) + w.d))
}

// dueBy returns the earlier of due and the parent's deadline.
func (c *inputCtx) dueBy(due time.Time) (time.Time, bool) {
	if d, ok := c.parent.Deadline(); ok && d.Before(due) {
		return d, true
	}
	return due, true
}

package pool

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// taskCtx is the context a submitted task runs with. It is lazy, which is why it is
// not a context.WithCancel child of the Submit ctx: that costs two allocations and
// a turn on the parent's lock per task. Nothing here is allocated or locked until
// the task calls Done, Err is a load, and every way a task can end early (its
// Submit ctx, the pool's ctx, Cancel, TaskTimeout) goes through task.cancel, which
// calls end.
//
// Value and Deadline come from the Submit ctx. context.Cause of a taskCtx is the
// Submit ctx's cause when that ctx ended it, and otherwise its Err.
type taskCtx struct {
	parent   context.Context               // the Submit ctx
	task     *task                         // whose resolution ends this ctx
	deadline int64                         // in Unix nanoseconds, set by TaskTimeout when the task starts; 0 for none
	watched  atomic.Bool                   // Done or Err was called: end must record
	ended    atomic.Int32                  // 0 while live, then ctxCanceled or ctxTimedOut
	done     atomic.Pointer[chan struct{}] // made on the first call to Done; &closedChan once ended
}

const (
	ctxCanceled = iota + 1
	ctxTimedOut
)

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// Deadline returns the earlier of the Submit ctx's deadline and the TaskTimeout.
func (c *taskCtx) Deadline() (time.Time, bool) {
	d, ok := c.parent.Deadline()
	if own := time.Unix(0, c.deadline); c.deadline != 0 && (!ok || own.Before(d)) {
		return own, true
	}
	return d, ok
}

// Done returns a channel closed when the task is cancelled, times out, or
// returns.
func (c *taskCtx) Done() <-chan struct{} {
	c.watch()
	c.follow()
	if ch := c.done.Load(); ch != nil {
		return *ch
	}
	ch := make(chan struct{})
	if !c.done.CompareAndSwap(nil, &ch) {
		return *c.done.Load()
	}
	return ch
}

// Err returns nil until Done is closed, then context.Canceled or
// context.DeadlineExceeded. Tasks poll it in loops: it takes no lock.
func (c *taskCtx) Err() error {
	c.watch()
	c.follow()
	switch c.ended.Load() {
	case ctxCanceled:
		return context.Canceled
	case ctxTimedOut:
		return context.DeadlineExceeded
	}
	return nil
}

// watch makes end record from now on. A task that resolved before end could
// see the flag ended with its return: context.Canceled.
func (c *taskCtx) watch() {
	if c.watched.Load() {
		return
	}
	c.watched.Store(true)
	// The flag is stored before the state is read, and the resolver stores the
	// state before it reads the flag: one of the two sees the other.
	if c.task.state.Load() == resolved {
		c.end(context.Canceled, false)
	}
}

// follow ends the context now if the Submit ctx or the pool's has ended, without waiting for
// the watch that cancels the task: a task that polls Err in a busy loop stops at
// once and frees its core, also when the goroutine of that watch needs one to
// run. For the usual parents, the check is an atomic load.
func (c *taskCtx) follow() {
	if c.ended.Load() != 0 {
		return
	}
	if err := c.parent.Err(); err != nil {
		c.end(err, true)
	} else if c.task.pool.parent.Err() != nil { // the pool's ctx: queued and running tasks end with it
		c.end(context.Canceled, true)
	}
}

// Value looks key up in the Submit ctx, but for the locals of the task's
// worker (see Local).
func (c *taskCtx) Value(key any) any {
	if _, ok := key.(localsKey); ok && c.task.w != nil {
		return &c.task.w.locals
	}
	return c.parent.Value(key)
}

func (c *taskCtx) String() string { return "pool task context" }

// end ends the context with err (context.Canceled or DeadlineExceeded) unless it
// has ended already. Unless forced, which the early ends are, it does nothing
// before anyone watches the context: watch catches up.
func (c *taskCtx) end(err error, force bool) {
	if !force && !c.watched.Load() {
		return
	}
	code := int32(ctxCanceled)
	if errors.Is(err, context.DeadlineExceeded) {
		code = ctxTimedOut
	}
	if !c.ended.CompareAndSwap(0, code) {
		return
	}
	// Done swaps its channel in, or finds closedChan: a channel it made
	// before this swap is closed here.
	if ch := c.done.Swap(&closedChan); ch != nil && ch != &closedChan {
		close(*ch)
	}
}

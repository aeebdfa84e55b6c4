package pool

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// A task's state only moves forward: pending (being submitted), queued, running,
// resolved. Whoever moves it to resolved, with a compare-and-swap, is the one and
// only writer of its result, and closes done after writing it; readers read the
// result only after done is closed. That is what makes resolution exactly-once.
const (
	pending uint32 = iota
	queued
	running
	resolved
)

// task is the part of a Future that does not depend on its type.
type task struct {
	pool      *Pool
	state     atomic.Uint32
	done      chan struct{}
	err       error       // written once, by the resolver, before done is closed
	stopWatch func() bool // stops the watcher of the Submit ctx; nil without one
	w         *worker     // the worker running it, and that worker's runner number;
	gen       uint64      // written in start, before the state becomes running
	ctx       taskCtx
}

// A Future is the pending result of a task given to Submit. Each Future resolves
// exactly once, with a value, an error, a *PanicError, a timeout or a
// cancellation. Its methods are safe for concurrent use.
type Future[T any] struct {
	task
	fn  func(context.Context) (T, error)
	val T
}

// Submit queues fn to run on p with a context derived from ctx, and returns its
// Future at once. With a bounded queue (QueueSize) Submit waits, on ctx, while the
// queue is full. The task resolves as cancelled, without running, when ctx ends
// before it starts or the queue had no room; with ErrClosed after Close.
//
// When ctx ends while fn runs, fn's context is cancelled and the Future resolves
// at once with ctx's error, whether or not fn returns.
func Submit[T any](ctx context.Context, p *Pool, fn func(context.Context) (T, error)) *Future[T] {
	f := &Future[T]{fn: fn}
	t := &f.task
	t.pool, t.done, t.ctx.parent = p, make(chan struct{}), ctx
	if ctx.Err() != nil {
		t.cancel(ctxError(ctx), &p.stats.canceled)
		return f
	}
	// The pool's own watcher covers a ctx that ends when the pool's does.
	if d := ctx.Done(); d != nil && d != p.parentDone {
		t.stopWatch = context.AfterFunc(ctx, func() { t.cancel(ctxError(ctx), &p.stats.canceled) })
	}
	if err := p.enqueue(ctx, f, t); err != nil {
		t.cancel(err, &p.stats.canceled)
		if t.stopWatch != nil {
			t.stopWatch()
		}
		<-t.done // the watcher may have won the race to resolve it: it is about to close done
	}
	return f
}

// Get waits until the task resolves or ctx ends, whichever is first, and returns
// the task's result or ctx's error. When ctx ends first the task goes on; Cancel
// stops it. Get may be called any number of times.
func (f *Future[T]) Get(ctx context.Context) (T, error) {
	select {
	case <-f.done:
		return f.val, f.err
	default:
	}
	select {
	case <-f.done:
		return f.val, f.err
	case <-ctx.Done():
		var zero T
		return zero, ctxError(ctx)
	}
}

// GetWithin is Get with a timeout of d instead of a ctx. When d passes first it
// returns an error that errors.Is context.DeadlineExceeded; the task goes on.
func (f *Future[T]) GetWithin(d time.Duration) (T, error) {
	select {
	case <-f.done:
		return f.val, f.err
	default:
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-f.done:
		return f.val, f.err
	case <-timer.C:
		var zero T
		return zero, fmt.Errorf("pool: no result within %v: %w", d, context.DeadlineExceeded)
	}
}

// Done returns a channel that is closed when the task has resolved, for use in a
// select; Get then returns at once.
func (f *Future[T]) Done() <-chan struct{} { return f.done }

// Cancel ends the task: a queued task never starts, a running task's context is
// cancelled, and the Future resolves at once with context.Canceled unless it has
// resolved already. Cancel does not wait for a running task to return.
func (f *Future[T]) Cancel() { f.cancel(context.Canceled, &f.pool.stats.canceled) }

// start, run and stop make a Future a runner.

func (f *Future[T]) start(w *worker, gen uint64) bool {
	t := &f.task
	// No queued task starts after its ctx is done, even before the watcher of
	// that ctx has run.
	if t.ctx.parent.Err() != nil {
		t.cancel(ctxError(t.ctx.parent), &t.pool.stats.canceled)
		return false
	}
	t.w, t.gen = w, gen
	if !t.state.CompareAndSwap(queued, running) {
		return false
	}
	s := &t.pool.stats
	s.queued.Add(-1)
	s.running.Add(1)
	t.pool.releaseRoom()
	return true
}

func (f *Future[T]) run() {
	t := &f.task
	var timer *time.Timer
	if d := t.pool.cfg.taskTimeout; d > 0 {
		t.ctx.deadline = time.Now().Add(d)
		timer = time.AfterFunc(d, func() { t.cancel(context.DeadlineExceeded, &t.pool.stats.failed) })
	}
	v, err := call(&t.ctx, f.fn)
	if timer != nil {
		timer.Stop()
	}
	if t.stopWatch != nil {
		t.stopWatch()
	}
	if !t.state.CompareAndSwap(running, resolved) {
		return // resolved by a cancel or timeout: the late result is dropped
	}
	s := &t.pool.stats
	s.running.Add(-1)
	if err == nil {
		s.done.Add(1)
	} else {
		s.failed.Add(1)
	}
	t.ctx.cancel(context.Canceled) // a ctx leaked past the call ends with it
	f.val, t.err = v, err
	close(t.done)
}

func (f *Future[T]) stop(err error) { f.cancel(err, &f.pool.stats.canceled) }

// cancel resolves t with err unless it has resolved already, counts it in count,
// and cancels its context. A running task is abandoned: its goroutine goes on
// until it returns, and its result is dropped.
func (t *task) cancel(err error, count *atomic.Int64) {
	s := t.state.Load()
	for s != resolved && !t.state.CompareAndSwap(s, resolved) {
		s = t.state.Load()
	}
	if s == resolved {
		return
	}
	plain := context.Canceled
	if errors.Is(err, context.DeadlineExceeded) {
		plain = context.DeadlineExceeded
	}
	p := t.pool
	count.Add(1)
	switch s {
	case queued:
		p.stats.queued.Add(-1)
		p.releaseRoom()
	case running:
		p.stats.running.Add(-1)
		p.abandon(t.w, t.gen)
	}
	if s != pending && t.stopWatch != nil {
		t.stopWatch()
	}
	t.ctx.cancel(plain)
	t.err = err
	close(t.done)
}

// call runs fn and turns a panic into a *PanicError.
func call[T any](ctx context.Context, fn func(context.Context) (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r, Stack: debug.Stack()}
		}
	}()
	return fn(ctx)
}

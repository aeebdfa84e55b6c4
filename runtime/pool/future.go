package pool

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// A task's state only moves forward: pending (being submitted), queued, running,
// resolved. Whoever moves it to resolved, with a compare-and-swap, is the one and
// only writer of its result, and then publishes it (see publish): readers read
// the result only after they see it published. That is what makes resolution
// exactly-once.
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
	done      atomic.Pointer[chan struct{}] // made by the first waiter; &closedChan once published
	err       error                         // written once, by the resolver, before publish
	watch     *ctxWatch                     // the watch of its Submit ctx, while it has one;
	watchPrev *task                         // its neighbours on that watch's list, all three
	watchNext *task                         // guarded by Pool.mu
	w         *worker                       // the worker running it, and that worker's runner number;
	gen       uint64                        // written in start, before the state becomes running
	timeout   time.Duration                 // SubmitWithin's; 0 for the pool's TaskTimeout
	ctx       taskCtx
}

// A Future is the pending result of a task given to Submit. Each Future resolves
// exactly once, with a value, an error, a *PanicError, a timeout or a
// cancellation. Its methods are safe for concurrent use. Only Submit makes a
// usable Future: the zero Future is not one.
type Future[T any] struct {
	task
	val T // before fn: a zero-size last field would cost padding
	fn  func(context.Context) (T, error)
}

// Submit queues fn to run on p with a context derived from ctx, and returns its
// Future. With a bounded queue (QueueSize) Submit waits, on ctx, while the queue
// is full. The task resolves as cancelled, without running, when ctx ends before
// it starts or while it waits for room; with ErrClosed after Close.
//
// When ctx ends while fn runs, fn's context is cancelled and the Future resolves
// at once with ctx's error, whether or not fn returns.
func Submit[T any](ctx context.Context, p *Pool, fn func(context.Context) (T, error)) *Future[T] {
	return submit(ctx, p, 0, fn, false)
}

// TrySubmit is Submit that never waits for room in a bounded queue: when
// QueueSize tasks already wait for a worker, it returns nil and false at
// once, and fn is neither run nor counted in Stats (ants' and pond's
// non-blocking submit). Otherwise it returns Submit's Future and true; the
// Future may still resolve as cancelled, or with ErrClosed. Without QueueSize
// the queue is never full.
func TrySubmit[T any](ctx context.Context, p *Pool, fn func(context.Context) (T, error)) (*Future[T], bool) {
	if !p.tryRoom() {
		return nil, false
	}
	return submit(ctx, p, 0, fn, true), true
}

// SubmitWithin is Submit with a deadline d on the task's ctx from the moment it
// starts, in place of the pool's TaskTimeout: a task still running at its
// deadline resolves at once with context.DeadlineExceeded and counts as Failed,
// even when it ignores its ctx (it is abandoned, within the pool's cap). d <= 0
// means the pool's TaskTimeout. Generated wrappers of //poolgen:worker timeout=
// workers call it.
func SubmitWithin[T any](ctx context.Context, p *Pool, d time.Duration, fn func(context.Context) (T, error)) *Future[T] {
	return submit(ctx, p, max(d, 0), fn, false)
}

// submit is Submit with a timeout d, 0 for the pool's; roomHeld says that
// TrySubmit took room for it in a bounded queue.
func submit[T any](ctx context.Context, p *Pool, d time.Duration, fn func(context.Context) (T, error), roomHeld bool) *Future[T] {
	f := &Future[T]{fn: fn}
	t := &f.task
	t.pool, t.timeout, t.ctx.parent, t.ctx.task = p, d, ctx, t
	if ctx.Err() != nil {
		if roomHeld {
			p.releaseRoom()
		}
		t.cancel(ctxError(ctx), outCanceled)
		return f
	}
	// The pool's own watcher covers a ctx that ends when the pool's does.
	if d := ctx.Done(); d != nil && d != p.parentDone {
		p.watch(ctx, t)
	}
	var err error
	if roomHeld {
		err = p.push(f, t, true)
	} else {
		err = p.enqueue(ctx, f, t)
	}
	if err != nil {
		t.cancel(err, outCanceled)
		<-t.doneChan() // the watch may have won the race to resolve it: it is about to publish
	}
	return f
}

// Get waits until the task resolves or ctx ends, whichever is first, and returns
// the task's result or ctx's error. When ctx ends first the task goes on; Cancel
// stops it. Get may be called any number of times.
func (f *Future[T]) Get(ctx context.Context) (T, error) {
	if f.done.Load() == &closedChan { // published: most Gets come late
		return f.val, f.err
	}
	done := f.doneChan()
	select {
	case <-done:
		return f.val, f.err
	default:
	}
	select {
	case <-done:
		return f.val, f.err
	case <-ctx.Done():
		var zero T
		return zero, ctxError(ctx)
	}
}

// GetWithin is Get with a timeout of d instead of a ctx. When d passes first it
// returns an error that errors.Is context.DeadlineExceeded; the task goes on.
func (f *Future[T]) GetWithin(d time.Duration) (T, error) {
	done := f.doneChan()
	select {
	case <-done:
		return f.val, f.err
	default:
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-done:
		return f.val, f.err
	case <-timer.C:
		var zero T
		return zero, fmt.Errorf("pool: no result within %v: %w", d, context.DeadlineExceeded)
	}
}

// Done returns a channel that is closed when the task has resolved, for use in a
// select; Get then returns at once.
func (f *Future[T]) Done() <-chan struct{} { return f.doneChan() }

// Cancel ends the task: a queued task never starts, a running task's context is
// cancelled, and the Future resolves at once with context.Canceled unless it has
// resolved already. Cancel does not wait for a running task to return.
func (f *Future[T]) Cancel() { f.cancel(context.Canceled, outCanceled) }

// start, run and stop make a Future a runner.

func (f *Future[T]) start(w *worker, gen uint64) bool {
	t := &f.task
	p := t.pool
	// No queued task starts after its ctx is done, even before the watcher of
	// that ctx has run.
	if err := t.ctx.parent.Err(); err != nil {
		if t.state.CompareAndSwap(queued, resolved) {
			p.stats.queued--
			p.stats.canceled++
			p.releaseRoom()
			p.unwatch(t)
			t.resolve(ctxError(t.ctx.parent))
		}
		return false
	}
	t.w, t.gen = w, gen
	if !t.state.CompareAndSwap(queued, running) {
		return false
	}
	p.stats.queued--
	p.stats.running++
	p.releaseRoom()
	return true
}

func (f *Future[T]) run() (*task, error) {
	t := &f.task
	var timer *time.Timer
	if d := cmp.Or(t.timeout, t.pool.cfg.taskTimeout); d > 0 {
		t.ctx.deadline = time.Now().Add(d).UnixNano()
		timer = time.AfterFunc(d, func() { t.cancel(context.DeadlineExceeded, outFailed) })
	}
	v, err := call(&t.ctx, f.fn)
	if timer != nil {
		timer.Stop()
	}
	if !t.state.CompareAndSwap(running, resolved) {
		return nil, nil // resolved by a cancel or timeout: the late result is dropped
	}
	f.val, t.err = v, err
	t.ctx.end(context.Canceled, false) // a ctx leaked past the call ends with it
	return t, err                      // the worker counts and publishes it
}

func (f *Future[T]) stop(err error) { f.cancel(err, outCanceled) }

func (f *Future[T]) fail(err error) { f.cancel(err, outFailed) }

// outcomes of a task, for the stats.
type outcome int

const (
	outCanceled outcome = iota
	outFailed
)

// cancel resolves t with err unless it has resolved already, counts it as out,
// and cancels its context. A running task is abandoned: its goroutine goes on
// until it returns, and its result is dropped.
func (t *task) cancel(err error, out outcome) {
	s := t.state.Load()
	for s != resolved && !t.state.CompareAndSwap(s, resolved) {
		s = t.state.Load()
	}
	if s == resolved {
		return
	}
	p := t.pool
	p.mu.Lock()
	if out == outFailed {
		p.stats.failed++
	} else {
		p.stats.canceled++
	}
	switch s {
	case queued:
		p.stats.queued--
		p.releaseRoom()
	case running:
		p.stats.running--
		p.abandonLocked(t.w, t.gen)
	}
	p.unwatch(t)
	p.mu.Unlock()
	plain := context.Canceled
	if errors.Is(err, context.DeadlineExceeded) {
		plain = context.DeadlineExceeded
	}
	t.ctx.end(plain, true)
	t.resolve(err)
}

// resolve writes the error of a task that ends without a value and publishes it.
func (t *task) resolve(err error) {
	t.err = err
	t.publish()
}

// publish makes the result visible: it closes the channel a waiter made, and
// leaves closedChan for later waiters.
func (t *task) publish() {
	if ch := t.done.Swap(&closedChan); ch != nil {
		close(*ch)
	}
}

// doneChan returns the channel that publish closes, making it on first use:
// most tasks finish before anyone waits, and then cost no channel at all.
func (t *task) doneChan() chan struct{} {
	if ch := t.done.Load(); ch != nil {
		return *ch
	}
	ch := make(chan struct{})
	if t.done.CompareAndSwap(nil, &ch) {
		return ch
	}
	return *t.done.Load()
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

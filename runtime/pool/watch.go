package pool

import (
	"context"
	"runtime"
)

// ctxWatch cancels the tasks submitted with one ctx when that ctx ends. There is
// one watch, and one context.AfterFunc, per ctx in use rather than per task:
// cancelling a ctx that a million queued tasks share then costs one goroutine
// walking a list, not a million goroutines. Tasks submitted with the pool's own
// ctx (or one that ends with it) need no watch: the pool's watcher covers them.
//
// Watches and their lists are guarded by Pool.mu.
type ctxWatch struct {
	ctx   context.Context
	done  <-chan struct{} // ctx.Done(), the key in Pool.watches
	stop  func() bool
	head  *task // the tasks watched, oldest first, linked through
	tail  *task // task.watchPrev and watchNext
	fired bool  // the list now belongs to fire
	late  bool  // unwatched after ctx ended: fire is on its way, with nothing to do
}

// watch makes t resolve as cancelled when ctx ends.
func (p *Pool) watch(ctx context.Context, t *task) {
	d := ctx.Done()
	p.mu.Lock()
	defer p.mu.Unlock()
	w := p.watches[d]
	if w == nil {
		w = &ctxWatch{ctx: ctx, done: d}
		p.watches[d] = w
		// If ctx has ended already, fire runs at once on its own goroutine and
		// waits for p.mu.
		w.stop = context.AfterFunc(ctx, func() { p.fire(w) })
	}
	t.watch = w
	t.watchPrev = w.tail
	if w.tail != nil {
		w.tail.watchNext = t
	} else {
		w.head = t
	}
	w.tail = t
}

// unwatch takes t off its watch, if any, once t has resolved. p.mu must be held.
func (p *Pool) unwatch(t *task) {
	w := t.watch
	if w == nil {
		return
	}
	t.watch = nil
	if w.fired {
		return
	}
	if t.watchPrev != nil {
		t.watchPrev.watchNext = t.watchNext
	} else {
		w.head = t.watchNext
	}
	if t.watchNext != nil {
		t.watchNext.watchPrev = t.watchPrev
	} else {
		w.tail = t.watchPrev
	}
	t.watchPrev, t.watchNext = nil, nil
	if w.head == nil {
		delete(p.watches, w.done)
		if !w.stop() {
			// ctx ended meanwhile: fire's goroutine has started. Count it as
			// one of the pool's until it has run, so that Close waits for it.
			w.late = true
			p.cancelling++
		}
	}
}

// fire cancels every task of w, whose ctx has ended, oldest first: running tasks
// before queued ones.
func (p *Pool) fire(w *ctxWatch) {
	p.mu.Lock()
	if w.late {
		p.cancelling--
		p.checkQuiet()
		p.mu.Unlock()
		return
	}
	if p.watches[w.done] == w {
		delete(p.watches, w.done)
	}
	w.fired = true
	head := w.head
	w.head, w.tail = nil, nil
	p.cancelling++ // Close waits for it: a goroutine of the pool
	p.mu.Unlock()
	// Once fired, nobody else touches the links: unwatch sees w.fired.
	err := ctxError(w.ctx)
	for i, t := 0, head; t != nil; i++ {
		next := t.watchNext
		t.cancel(err, outCanceled)
		t = next
		yieldEvery(i)
	}
	p.mu.Lock()
	p.cancelling--
	p.checkQuiet()
	p.mu.Unlock()
}

// yieldEvery lets other goroutines run every so many steps of a long loop of
// cancels, so that waiters whose ctx ended, and tasks that should notice it, get
// a core soon on a busy machine rather than after the loop.
func yieldEvery(i int) {
	if i%256 == 255 {
		runtime.Gosched()
	}
}

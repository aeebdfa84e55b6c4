package pool

import "context"

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
	head  *task // the tasks watched, linked through task.watchPrev and watchNext
	fired bool  // the list now belongs to fire
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
	t.watchNext = w.head
	if w.head != nil {
		w.head.watchPrev = t
	}
	w.head = t
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
	}
	t.watchPrev, t.watchNext = nil, nil
	if w.head == nil {
		delete(p.watches, w.done)
		w.stop()
	}
}

// fire cancels every task of w, whose ctx has ended.
func (p *Pool) fire(w *ctxWatch) {
	p.mu.Lock()
	if p.watches[w.done] == w {
		delete(p.watches, w.done)
	}
	w.fired = true
	head := w.head
	w.head = nil
	p.firing++ // Close waits for it: a goroutine of the pool
	p.mu.Unlock()
	// Once fired, nobody else touches the links: unwatch sees w.fired.
	err := ctxError(w.ctx)
	for t := head; t != nil; {
		next := t.watchNext
		t.cancel(err, outCanceled)
		t = next
	}
	p.mu.Lock()
	p.firing--
	p.checkQuiet()
	p.mu.Unlock()
}

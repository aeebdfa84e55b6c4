package pool

import (
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"iter"
	"math"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// A pipelined job is a ProcessFunc's Map or Stream: instead of one blocking
// call per pool worker, which leaves each child idle while its reply travels
// back and the next call comes, each of up to Workers(n) drivers holds a
// child and keeps a window of calls queued in it. The child still runs
// them one at a time, in order, and writes each reply before it starts the
// next call; the driver writes its calls in bursts, one write each; the
// child's reader goroutine in the parent decodes the replies and records them.
//
// What a window changes, and how the promises still hold:
//   - A child that dies fails the oldest call not answered (the one it was
//     running); the calls queued behind it never started, and are sent again,
//     to a fresh child, in order.
//   - When the job ends early (its ctx, the first error), the driver tells the
//     child to cancel every call it holds: the running one's ctx ends, the
//     queued ones are answered without running. A watcher then gives the child
//     ProcessGrace to answer them all before it kills it, and the driver's
//     pool worker is free at once.
//   - MaxTasksPerWorker bounds the calls sent to a child, not only those run.

// A driver sizes its window to hold about procQueued of work, from the time a
// child takes per call: from procMinWindow calls for slow ones (so that a
// child does not hoard calls that another could run) up to procMaxWindow for
// tiny ones (so that a child does not wait for the parent between two). It
// sends more calls when half of the window has been answered.
const (
	procQueued    = 500 * time.Microsecond
	procMinWindow = 2
	procMaxWindow = 256
)

// Map calls the function with every element of args in p's child processes
// and returns the results in input order, like [Map] with a function that
// calls [ProcessFunc.Call]: the same options (CollectErrors, Progress), a
// *TaskError naming the input that failed, a slice of len(args) that keeps
// every finished result, an early return with ctx's error.
//
// It costs far less per call: each child has several calls queued at once
// (it still runs one at a time), so it does not wait for the parent between
// two. A child that dies fails only the call it was running, with a
// *WorkerExitError; the calls queued behind it run in a fresh child. When
// the pool has a TaskTimeout, or Timeout is given, Map falls back to one call at a time.
func (f *ProcessFunc[A, R]) Map(ctx context.Context, p *Pool, args []A, opts ...MapOption) ([]R, error) {
	if p.cfg.taskTimeout > 0 || newMapConfig(opts).timeout > 0 {
		return Map(ctx, p, args, f.call(p), opts...)
	}
	j := &pipeJob[A, R]{f: f, pool: p, in: args, out: make([]R, len(args)), cfg: newMapConfig(opts), end: make(chan struct{})}
	if len(args) == 0 {
		return j.out, nil
	}
	j.ctx, j.cancel = context.WithCancelCause(ctx)
	defer j.cancel(context.Canceled)
	j.report = newReporter(j.cfg.progress, j.end1)
	defer j.report.close()
	j.start(ctx)
	if ctx.Err() != nil {
		j.end1(ctxError(ctx))
		return j.out, j.err
	}
	for range min(p.cfg.workers, len(args)) {
		if err := p.enqueue(ctx, j.newDriver(), nil); err != nil {
			j.end1(err)
			break
		}
	}
	select {
	case <-j.end:
	case <-ctx.Done():
		j.end1(ctxError(ctx))
	}
	if err := j.report.flush(ctx); j.err == nil { // the last count, unless ctx ends
		return j.out, err
	}
	return j.out, j.err
}

// Stream calls the function with every element of args in p's child
// processes and yields each result with its error, like [Stream] with a
// function that calls [ProcessFunc.Call]: in input order unless Unordered,
// errors as *TaskError without stopping the stream, a loop that breaks
// cancelling what is left, one last pair with ctx's error when ctx ends.
//
// Like [ProcessFunc.Map] it keeps several calls queued in each child; at most
// 256 per worker are pulled from args and not yet yielded. When the
// pool has a TaskTimeout, or Timeout is given, Stream falls back to one call at a time.
func (f *ProcessFunc[A, R]) Stream(ctx context.Context, p *Pool, args iter.Seq[A], opts ...MapOption) iter.Seq2[R, error] {
	if p.cfg.taskTimeout > 0 || newMapConfig(opts).timeout > 0 {
		return Stream(ctx, p, args, f.call(p), opts...)
	}
	cfg := newMapConfig(opts)
	return func(yield func(R, error) bool) {
		window := p.cfg.workers * procMaxWindow
		s := &streamJob[A, R]{
			pool:    p,
			cfg:     cfg,
			tokens:  make(chan struct{}, window),
			results: make(chan streamItem[R], window),
			fed:     make(chan struct{}),
		}
		s.ctx, s.cancel = context.WithCancelCause(ctx)
		j := &pipeJob[A, R]{f: f, pool: p, ctx: s.ctx, cancel: s.cancel, end: make(chan struct{}),
			items: make(chan procCall[A], window), results: s.results}
		defer j.end1(nil)
		j.start(ctx)
		for range p.cfg.workers {
			if err := p.enqueue(ctx, j.newDriver(), nil); err != nil {
				var zero R
				yield(zero, err)
				return
			}
		}
		go j.feed(s, args)
		s.loop(yield, window)
	}
}

// call is the function of a fallback to Map or Stream: one Call per input.
func (f *ProcessFunc[A, R]) call(p *Pool) func(context.Context, A) (R, error) {
	return func(ctx context.Context, a A) (R, error) { return f.Call(ctx, p, a) }
}

// procCall is an input of a pipelined job: its position, and its value.
type procCall[A any] struct {
	seq int
	arg A
}

// pipeJob is one call of ProcessFunc.Map or of a ProcessFunc.Stream loop.
type pipeJob[A, R any] struct {
	f        *ProcessFunc[A, R]
	pool     *Pool
	set      *processSet
	ctx      context.Context // ends with the job: drivers stop sending
	cancel   context.CancelCauseFunc
	deadline int64 // of ctx, in unix ns; 0 for none
	end      chan struct{}
	report   *reporter // Map's Progress; nil without it

	// Map's inputs and outcomes.
	in   []A
	next atomic.Int64 // the first input not taken yet
	out  []R
	cfg  mapConfig

	// Stream's inputs and outcomes: its items come from feed, its results go
	// to the streamJob's loop.
	items   chan procCall[A]
	results chan streamItem[R]

	mu       sync.Mutex
	ended    bool
	finished int // Map: inputs whose outcome is in
	fed      int // Stream: inputs fed
	resolved int // Stream: inputs whose outcome is in
	done     int // outcomes not yet counted in the pool's stats
	failed   int
	errs     []error // Map: with CollectErrors
	err      error   // Map: final once end is closed
}

// start binds the job to p's children and to ctx's deadline.
func (j *pipeJob[A, R]) start(ctx context.Context) {
	j.set = j.pool.processes()
	if d, ok := ctx.Deadline(); ok {
		j.deadline = d.UnixNano()
	}
}

func (j *pipeJob[A, R]) newDriver() *pipeDriver[A, R] {
	return &pipeDriver[A, R]{job: j, wake: make(chan struct{}, 1), wakeAt: -1, window: procMinWindow}
}

// take returns the next input without waiting; more is false when no input
// will ever come.
func (j *pipeJob[A, R]) take() (c procCall[A], ok, more bool) {
	if j.items == nil {
		i := j.next.Add(1) - 1
		if i >= int64(len(j.in)) {
			return c, false, false
		}
		return procCall[A]{int(i), j.in[i]}, true, true
	}
	select {
	case c, ok = <-j.items:
		return c, ok, ok
	default:
		return c, false, true
	}
}

// feed pulls Stream's inputs from in for the drivers, one token each, and
// fills in what s.loop reads once s.fed is closed.
func (j *pipeJob[A, R]) feed(s *streamJob[A, R], in iter.Seq[A]) {
	defer close(s.fed)
	defer func() {
		if v := recover(); v != nil {
			s.inErr = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	for v := range in {
		select {
		case s.tokens <- struct{}{}:
		case <-j.ctx.Done():
			j.pool.count(0, 0, 1)
			return
		}
		j.mu.Lock()
		if j.ended {
			j.mu.Unlock()
			j.pool.count(0, 0, 1)
			return
		}
		j.items <- procCall[A]{s.total, v} // room: a token per item
		s.total++
		j.fed++
		j.mu.Unlock()
	}
	s.complete = true
	close(j.items)
}

// deliver records the outcome of input seq, unless the job has ended.
func (j *pipeJob[A, R]) deliver(seq int, v R, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.ended {
		return
	}
	if err != nil {
		j.failed++
	} else {
		j.done++
	}
	if j.done+j.failed == 64 {
		j.count(0)
	}
	if j.items != nil {
		j.resolved++
		j.results <- streamItem[R]{seq: seq, val: v, err: err} // room: a token per item
		return
	}
	j.finished++
	if err != nil {
		te := &TaskError{Index: seq, Err: err}
		if !j.cfg.collect {
			j.finish(te)
			return
		}
		j.errs = append(j.errs, te)
	} else {
		j.out[seq] = v
	}
	j.report.report(j.finished, len(j.in))
	if j.finished < len(j.in) {
		return
	}
	// Outcomes come out of order: report errors in input order.
	slices.SortFunc(j.errs, func(a, b error) int { return a.(*TaskError).Index - b.(*TaskError).Index })
	j.finish(errors.Join(j.errs...))
}

// recoverPanic calls fn and returns its panic as a *PanicError.
func recoverPanic(fn func()) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	fn()
	return nil
}

// count adds the outcomes recorded since the last count, and canceled, to
// the pool's stats: a batch at a time, a lock per input would cost more than
// a call. j.mu must be held.
func (j *pipeJob[A, R]) count(canceled int) {
	j.pool.count(j.done, j.failed, canceled)
	j.done, j.failed = 0, 0
}

// end1 ends the job with err unless it has ended already.
func (j *pipeJob[A, R]) end1(err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.ended {
		j.finish(err)
	}
}

// finish ends the job with err: the inputs without an outcome count as
// cancelled, and the drivers stop. j.mu must be held.
func (j *pipeJob[A, R]) finish(err error) {
	j.ended = true
	j.err = err
	if j.items == nil {
		j.count(len(j.in) - j.finished)
	} else {
		j.count(j.fed - j.resolved)
	}
	close(j.end)
	if err == nil || j.items == nil {
		err = context.Canceled
	}
	j.cancel(err) // a Stream's loop yields it when the pool stopped the job
}

// pipeDriver is one runner of a pipelined job, on a pool worker: it holds a
// child at a time and keeps calls queued in it. When the job ends it leaves
// the child to a watcher, which then uses the session fields.
type pipeDriver[A, R any] struct {
	job  *pipeJob[A, R]
	w    *worker
	gen  uint64
	wake chan struct{} // a token when pending has shrunk to wakeAt
	res  envelope[R]   // where the reader decodes a result

	mu      sync.Mutex
	retry   []procCall[A] // inputs to send first: they never started in a child that died
	futile  int           // children in a row that died before answering any call
	pending []pendingCall[A]
	sent    int  // calls sent to the child held now that ran or may still run
	ran     int  // of which answered having run
	broken  bool // the child held now must get no more calls
	wakeAt  int  // wake the driver when len(pending) <= wakeAt; -1: do not

	window    int           // how many calls to keep queued in the child
	perCall   time.Duration // the time a child takes per call, averaged
	busySince time.Time     // the last reply, when more calls were pending behind it
}

// pendingCall is a call sent to a child and not answered.
type pendingCall[A any] struct {
	id      uint64
	call    procCall[A]
	written bool // some of it reached the pipe: the child may have started it
}

func (d *pipeDriver[A, R]) start(w *worker, gen uint64) bool {
	d.w, d.gen = w, gen
	return d.job.ctx.Err() == nil
}

func (d *pipeDriver[A, R]) stop(err error) { d.job.end1(err) }

func (d *pipeDriver[A, R]) fail(err error) { d.job.end1(err) }

func (d *pipeDriver[A, R]) run() (*task, error) {
	j := d.job
	var zero R
	for {
		first, ok := d.first()
		if !ok || j.ctx.Err() != nil {
			return nil, nil
		}
		if childWithoutMain.Load() {
			j.deliver(first.seq, zero, errNoProcessMain)
			continue
		}
		c, err := j.set.acquire(j.ctx)
		if err != nil {
			if j.ctx.Err() == nil {
				j.deliver(first.seq, zero, err)
			}
			continue
		}
		d.mu.Lock()
		d.retry = slices.Insert(d.retry, 0, first)
		d.mu.Unlock()
		if !d.session(c) {
			return nil, nil
		}
	}
}

// first returns the next input to run, waiting for one if need be; false when
// none is left or the job has ended.
func (d *pipeDriver[A, R]) first() (procCall[A], bool) {
	j := d.job
	d.mu.Lock()
	if len(d.retry) > 0 {
		c := d.retry[0]
		d.retry = d.retry[1:]
		d.mu.Unlock()
		return c, true
	}
	d.mu.Unlock()
	c, ok, more := j.take()
	if ok || !more {
		return c, ok
	}
	select {
	case c, ok = <-j.items:
		return c, ok
	case <-j.ctx.Done():
		return c, false
	}
}

// session keeps calls queued in c until none is left to send, c has had its
// MaxTasksPerWorker or died, or the job ends. It reports whether the driver
// should go on with another child.
func (d *pipeDriver[A, R]) session(c *child) bool {
	j, s := d.job, d.job.set
	d.mu.Lock()
	d.pending, d.sent, d.ran, d.broken, d.wakeAt = d.pending[:0], 0, 0, false, -1
	d.mu.Unlock()
	c.setHandler(d)
	budget := math.MaxInt
	if s.maxTasks > 0 {
		budget = s.maxTasks - c.tasks
	}
	var zero R
	for {
		// Add calls to the buffer of c's pipe until the window is full, then
		// list them as pending before they are written: a reply may come at once.
		d.mu.Lock()
		room := min(d.window-len(d.pending), budget-d.sent)
		if d.broken {
			room = 0
		}
		d.mu.Unlock()
		more := true
		var batch []pendingCall[A]
		for ; room > 0 && j.ctx.Err() == nil; room-- {
			d.mu.Lock()
			call, ok := procCall[A]{}, len(d.retry) > 0
			if ok {
				call = d.retry[0]
				d.retry = d.retry[1:]
			}
			d.mu.Unlock()
			if !ok {
				if call, ok, more = j.take(); !ok {
					break
				}
			}
			c.nextID++
			if err := c.w.add(frameCall, c.nextID, callFill(j.f.name, j.deadline), envelope[A]{call.arg}); err != nil {
				// gob cannot encode it, and c's stream is broken: c gets no more.
				j.deliver(call.seq, zero, fmt.Errorf("pool: sending a call of %s to a worker process: %w", j.f.name, err))
				d.mu.Lock()
				d.broken = true
				d.mu.Unlock()
				break
			}
			batch = append(batch, pendingCall[A]{id: c.nextID, call: call})
		}
		d.mu.Lock()
		d.pending = append(d.pending, batch...)
		d.sent += len(batch)
		d.mu.Unlock()
		wrote, err := c.w.writeOut()
		d.mu.Lock()
		if err == nil || wrote {
			for i := len(d.pending) - 1; i >= 0 && !d.pending[i].written; i-- {
				d.pending[i].written = true
			}
		}
		n := len(d.pending)
		if err != nil {
			d.wakeAt = -1
		} else if n == 0 {
			ran, broken := d.ran, d.broken || d.sent >= budget
			d.mu.Unlock()
			s.release(c, ran, broken)
			return true
		} else if !more || d.broken || d.sent >= budget {
			d.wakeAt = 0
		} else {
			d.wakeAt = min(d.window/2, n-1)
		}
		canSend := err == nil && more && !d.broken && d.sent < budget && n < d.window
		d.mu.Unlock()
		if err != nil {
			c.kill() // its pipe is gone: it is ending, or must
		}
		var items <-chan procCall[A]
		if canSend {
			items = j.items // nil for Map
		}
		select {
		case <-d.wake:
		case call, ok := <-items:
			if ok {
				d.mu.Lock()
				d.retry = append(d.retry, call)
				d.mu.Unlock()
			}
		case <-c.dead:
			d.died(c)
			return true
		case <-j.ctx.Done():
			d.leave(c)
			return false
		}
	}
}

// handle takes a reply of c for the driver; see replyHandler.
func (d *pipeDriver[A, R]) handle(kind byte, id uint64, fr *frameReader) bool {
	d.mu.Lock()
	i := slices.IndexFunc(d.pending, func(p pendingCall[A]) bool { return p.id == id })
	d.mu.Unlock()
	if i < 0 {
		return false
	}
	now := time.Now()
	d.res = envelope[R]{}
	r := readReply(kind, fr, d.decode)
	j := d.job
	d.mu.Lock()
	// Read the result under mu: once pending is empty the driver may hold
	// another child, whose reader decodes into d.res.
	v := d.res.V
	i = slices.IndexFunc(d.pending, func(p pendingCall[A]) bool { return p.id == id })
	p := d.pending[i]
	d.pending = slices.Delete(d.pending, i, i+1)
	if r.notRun {
		d.sent--
		if j.ctx.Err() == nil {
			d.retry = append(d.retry, p.call)
		}
	} else {
		d.ran++
	}
	d.broken = d.broken || r.broken
	d.futile = 0
	d.measure(now)
	wake := d.wakeAt >= 0 && len(d.pending) <= d.wakeAt
	if wake {
		d.wakeAt = -1
	}
	d.mu.Unlock()
	if !r.notRun {
		j.deliver(p.call.seq, v, r.err)
	}
	if wake {
		select {
		case d.wake <- struct{}{}:
		default:
		}
	}
	return true
}

// measure updates the time a child takes per call with a reply that came
// now, and the window from it. d.mu must be held.
func (d *pipeDriver[A, R]) measure(now time.Time) {
	if !d.busySince.IsZero() {
		took := now.Sub(d.busySince)
		if d.perCall == 0 {
			d.perCall = took
		} else {
			d.perCall += (took - d.perCall) / 4
		}
		d.window = int(min(max(procQueued/max(d.perCall, 1), procMinWindow), procMaxWindow))
	}
	d.busySince = time.Time{}
	if len(d.pending) > 0 {
		d.busySince = now
	}
}

// decode reads a result into d.res.
func (d *pipeDriver[A, R]) decode(dec *gob.Decoder) error { return dec.Decode(&d.res) }

// died settles the calls pending in c, which has died: the oldest that
// reached it fails with c's exit error (c was running it), the others never
// started and go back to be sent again.
func (d *pipeDriver[A, R]) died(c *child) {
	var zero R
	d.mu.Lock()
	pending := d.pending
	d.pending = nil
	var again []procCall[A]
	blamed := -1
	for i, p := range pending {
		if blamed < 0 && p.written {
			blamed = i
			continue
		}
		again = append(again, p.call)
	}
	if blamed < 0 && len(again) > 0 {
		// c died before any call reached it. After a few such children in a
		// row, blame the oldest call anyway, so that the job cannot spin.
		if d.futile++; d.futile >= 3 {
			blamed, again = 0, again[1:]
			d.futile = 0
		}
	}
	d.retry = append(again, d.retry...)
	d.mu.Unlock()
	if blamed >= 0 {
		d.job.deliver(pending[blamed].call.seq, zero, c.exitErr)
	}
}

// leave hands c, held by a job that has ended, to a watcher: c is told to
// cancel every call it holds, and gets the grace period to answer them all
// before it is killed.
func (d *pipeDriver[A, R]) leave(c *child) {
	d.mu.Lock()
	n, ran, broken := len(d.pending), d.ran, d.broken
	d.mu.Unlock()
	if n == 0 {
		c.set.release(c, ran, broken)
		return
	}
	c.w.send(frameCancel, c.nextID, nil) // if this fails the child is dying anyway
	c.set.wg.Add(1)
	go d.watchGrace(c)
}

// watchGrace waits for c to answer the calls it holds, within the grace
// period; else it kills c.
func (d *pipeDriver[A, R]) watchGrace(c *child) {
	s := c.set
	defer s.wg.Done()
	t := time.NewTimer(s.grace)
	defer t.Stop()
	for {
		d.mu.Lock()
		n, ran, broken := len(d.pending), d.ran, d.broken
		d.wakeAt = 0
		d.mu.Unlock()
		if n == 0 {
			s.release(c, ran, broken)
			return
		}
		select {
		case <-d.wake:
		case <-c.dead:
			return
		case <-t.C:
			c.kill()
			return
		case <-s.killed:
			c.kill()
			return
		}
	}
}

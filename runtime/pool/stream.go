package pool

import (
	"cmp"
	"context"
	"iter"
	"runtime/debug"
	"sync"
)

// Stream calls fn for every input of in on p's workers and yields each result with
// its error (a *TaskError naming the input), in input order, or in the order they
// finish with Unordered. Errors do not stop the stream: the loop decides. Breaking
// out of the loop cancels the inputs still running and pulls no more; when ctx
// ends, the loop gets one last pair with ctx's error, at once, even while an fn
// ignores its ctx.
//
// Memory stays bounded whatever the input's length: at most a window of 16
// inputs per worker (and the one being handed over) is pulled from in and not
// yet yielded.
// in is read on a goroutine of its own; if in blocks, that goroutine stays
// until in returns.
//
// Workers take inputs in batches when inputs are fast (a batch takes under
// 50µs), and hand each result over as it comes: so when an input hangs
// ignoring its ctx, the inputs after it in its batch, up to 15, wait for it
// (under a deadline they go to other workers once it has failed).
func Stream[I, O any](ctx context.Context, p *Pool, in iter.Seq[I], fn func(context.Context, I) (O, error), opts ...MapOption) iter.Seq2[O, error] {
	cfg := newMapConfig(opts)
	return func(yield func(O, error) bool) {
		workers := p.size()
		window := streamWindow * workers
		s := &streamJob[I, O]{
			pool:    p,
			fn:      fn,
			cfg:     cfg,
			gate:    newGate(window),
			items:   newHandoff[streamItem[I]](workers, window),
			results: newHandoff[streamItem[O]](1, window),
			fed:     make(chan struct{}),
			runners: make([]*streamRunner[I, O], workers),
		}
		s.ctx, s.cancel = context.WithCancelCause(ctx)
		defer s.stop(context.Canceled)
		if d := cmp.Or(cfg.timeout, p.cfg.taskTimeout); d > 0 {
			s.watch = newWatchdog(d)
			defer s.watch.close()
		}
		for i := range s.runners {
			s.runners[i] = &streamRunner[I, O]{job: s}
			if s.watch != nil {
				s.watch.add(s.runners[i])
			}
		}
		for _, r := range s.runners {
			if err := p.enqueue(ctx, r, nil); err != nil {
				var zero O
				yield(zero, err)
				return
			}
		}
		go s.feed(in)
		s.loop(yield, window)
	}
}

// streamWindow is how many inputs per worker a Stream pulls ahead of the
// results it has yielded: enough for each worker to take batches of several
// while the others run theirs.
const streamWindow = 16

// streamItem is an input on its way to a runner, or a result on its way back.
type streamItem[T any] struct {
	seq int // position in the input
	val T
	err error
}

// streamJob is one loop over a Stream.
type streamJob[I, O any] struct {
	pool     *Pool
	ctx      context.Context // the items' ctx: the Stream's, cancelled when the loop ends
	cancel   context.CancelCauseFunc
	fn       func(context.Context, I) (O, error)
	cfg      mapConfig
	gate     *gate                   // bounds the inputs pulled and not yet yielded
	items    *handoff[streamItem[I]] // feeder to runners
	results  *handoff[streamItem[O]] // runners to the loop
	fed      chan struct{}           // closed when the feeder is done
	total    int                     // inputs fed; read after fed is closed
	complete bool                    // in ended by itself, not by the job's end; read after fed is closed
	inErr    error                   // a panic of in; read after fed is closed
	watch    *watchdog               // enforces the per-input deadline; nil without one
	mu       sync.Mutex              // guards runners once they run: expire adds some
	runners  []*streamRunner[I, O]   // the pool runners that call fn
}

// feed pulls inputs from in and hands them to the runners, one token each.
func (s *streamJob[I, O]) feed(in iter.Seq[I]) {
	s.feedWith(in, func(v I) bool {
		s.items.put(streamItem[I]{seq: s.total, val: v})
		s.total++
		if s.ctx.Err() != nil { // the runners may be gone: count what they left
			s.pool.count(0, 0, s.drain())
			return false
		}
		return true
	}, s.drain, s.items.close)
}

// feedWith pulls inputs from in, each once the gate lets it in, and hands each to put, which
// reports false when the job has ended, and counts it in s.total. It fills in
// what s.loop reads once s.fed is closed; done runs when in has ended by
// itself. When the ctx ends first, the input in hand counts as cancelled, with
// those that left returns.
func (s *streamJob[I, O]) feedWith(in iter.Seq[I], put func(v I) bool, left func() int, done func()) {
	defer close(s.fed)
	defer func() {
		if v := recover(); v != nil {
			s.inErr = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	for v := range in {
		if !s.gate.enter(s.ctx.Done()) {
			s.pool.count(0, 0, 1+left())
			return
		}
		if !put(v) {
			return
		}
	}
	s.complete = true
	done()
}

// drain takes the inputs left in s.items after the job's ctx ended and returns
// how many, for the stats. Whoever leaves because of the ctx drains, so that
// each input handed over is counted once: run by a runner, or cancelled.
func (s *streamJob[I, O]) drain() int { return s.items.drain() }

// loop yields results as they come, in input order unless Unordered, until every
// input has been yielded, the loop breaks or the ctx ends.
func (s *streamJob[I, O]) loop(yield func(O, error) bool, window int) {
	l := &streamLoop[I, O]{
		s:      s,
		yield:  yield,
		ring:   make([]streamItem[O], window),
		filled: make([]bool, window),
		total:  -1,
		fed:    s.fed,
		report: newReporter(s.cfg.progress, func(err error) { s.cancel(err) }),
	}
	defer l.report.flush(s.ctx) // after a break too the last call returns first, unless ctx has ended
	for l.total < 0 || l.yielded < l.total {
		r, ok, over := l.receive()
		if over {
			return
		}
		if ok && !l.give(r) {
			return
		}
	}
	if err := l.report.flush(s.ctx); err != nil {
		var zero O
		yield(zero, err) // ctx ended, or Progress panicked, before the final count was reported
	}
}

// streamLoop is the state of a Stream loop.
type streamLoop[I, O any] struct {
	s       *streamJob[I, O]
	yield   func(O, error) bool
	ring    []streamItem[O] // reorder buffer, by seq % len(ring)
	filled  []bool
	next    int // the next seq to yield in order
	yielded int
	total   int             // -1 until the feeder is done
	fed     <-chan struct{} // nil once the feeder is done
	report  *reporter
	got     []streamItem[O] // the batch of results taken last
	pos     int             // the next of got to give
	out     int             // inputs yielded and not yet let out of the gate
}

// receive waits for the next result: ok is false when the feeder's end came
// instead, over true when the loop must end (it has yielded why).
func (l *streamLoop[I, O]) receive() (r streamItem[O], ok, over bool) {
	s := l.s
	if s.ctx.Err() != nil { // a load: checked first, so that a cancel ends the loop at once
		return r, false, l.fail(ctxError(s.ctx))
	}
	if l.pos == len(l.got) {
		// The inputs yielded since the last batch leave the window only now, a
		// lock for the batch rather than one each.
		s.gate.leave(l.out)
		l.out = 0
		clear(l.got)
		var why int
		l.got, why = s.results.take(l.got[:0], len(l.ring), s.ctx.Done(), l.fed)
		l.pos = 0
		switch why {
		case tookDone:
			return r, false, l.fail(ctxError(s.ctx))
		case tookAlso:
			l.fed, l.total = nil, s.total
			if s.inErr != nil {
				return r, false, l.fail(s.inErr)
			}
			if !s.complete { // the feeder saw the ctx end first
				return r, false, l.fail(ctxError(s.ctx))
			}
			if l.yielded == l.total {
				l.report.report(l.yielded, l.total) // the final count, now that it is known
			}
			return r, false, false
		}
	}
	r = l.got[l.pos]
	l.pos++
	if r.err != nil && s.ctx.Err() != nil {
		// fn returned because the ctx ended, before the loop saw it end.
		return r, false, l.fail(ctxError(s.ctx))
	}
	return r, true, false
}

// fail yields err as the loop's last pair; it reports true, for receive.
func (l *streamLoop[I, O]) fail(err error) bool {
	var zero O
	l.yield(zero, err)
	return true
}

// give yields r, or holds it until the results before it have been yielded;
// false when the loop breaks.
func (l *streamLoop[I, O]) give(r streamItem[O]) bool {
	if l.s.cfg.unordered {
		return l.emit(r)
	}
	w := len(l.ring)
	l.ring[r.seq%w], l.filled[r.seq%w] = r, true
	for ; l.filled[l.next%w]; l.next++ {
		r := l.ring[l.next%w]
		l.ring[l.next%w], l.filled[l.next%w] = streamItem[O]{}, false
		if !l.emit(r) {
			return false
		}
	}
	return true
}

// emit yields r; false when the loop breaks.
func (l *streamLoop[I, O]) emit(r streamItem[O]) bool {
	l.yielded++
	l.report.report(l.yielded, l.total)
	var err error
	if r.err != nil {
		err = &TaskError{Index: r.seq, Err: r.err}
	}
	more := l.yield(r.val, err)
	l.out++ // only now: the window counts the pair being yielded
	return more
}

// stop ends the job with err: inputs not started never run, the items' ctx is
// cancelled and runners still inside fn are abandoned. Inputs left in s.items
// count as cancelled: runners that never started leave them there.
func (s *streamJob[I, O]) stop(err error) {
	s.cancel(err)
	s.pool.count(0, 0, s.drain())
	s.mu.Lock()
	runners := s.runners
	s.mu.Unlock()
	for _, r := range runners {
		r.abandonBusy(s.pool)
	}
}

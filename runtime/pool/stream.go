package pool

import (
	"cmp"
	"context"
	"iter"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// Stream calls fn for every input of in on p's workers and yields each result with
// its error (a *TaskError naming the input), in input order, or in the order they
// finish with Unordered. Errors do not stop the stream: the loop decides. Breaking
// out of the loop cancels the inputs still running and pulls no more; when ctx
// ends, the loop gets one last pair with ctx's error, at once, even while an fn
// ignores its ctx.
//
// Memory stays bounded whatever the input's length: at most a window of four
// inputs per worker is pulled from in and not yet yielded. in is read on a
// goroutine of its own; if in blocks, that goroutine stays until in returns.
func Stream[I, O any](ctx context.Context, p *Pool, in iter.Seq[I], fn func(context.Context, I) (O, error), opts ...MapOption) iter.Seq2[O, error] {
	cfg := newMapConfig(opts)
	return func(yield func(O, error) bool) {
		workers := p.size()
		window := 4 * workers
		s := &streamJob[I, O]{
			pool:    p,
			fn:      fn,
			cfg:     cfg,
			tokens:  make(chan struct{}, window),
			items:   make(chan streamItem[I], window), // never full: tokens bound it
			results: make(chan streamItem[O], window),
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
	tokens   chan struct{}         // one per input pulled and not yet yielded
	items    chan streamItem[I]    // feeder to runners
	results  chan streamItem[O]    // runners to the loop; never full, thanks to tokens
	fed      chan struct{}         // closed when the feeder is done
	total    int                   // inputs fed; read after fed is closed
	complete bool                  // in ended by itself, not by the job's end; read after fed is closed
	inErr    error                 // a panic of in; read after fed is closed
	watch    *watchdog             // enforces the per-input deadline; nil without one
	mu       sync.Mutex            // guards runners once they run: expire adds some
	runners  []*streamRunner[I, O] // the pool runners that call fn
}

// feed pulls inputs from in and hands them to the runners, one token each.
func (s *streamJob[I, O]) feed(in iter.Seq[I]) {
	s.feedWith(in, func(v I) bool {
		s.items <- streamItem[I]{seq: s.total, val: v} // never blocks: it has a token
		s.total++
		if s.ctx.Err() != nil { // the runners may be gone: count what they left
			s.pool.count(0, 0, s.drain())
			return false
		}
		return true
	}, s.drain, func() { close(s.items) })
}

// feedWith pulls inputs from in, a token each, and hands each to put, which
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
		// The first select is the fast path: when the window has room, it locks
		// one channel, not also the ctx's, which every goroutine of the job
		// shares.
		select {
		case s.tokens <- struct{}{}:
		default:
			select {
			case s.tokens <- struct{}{}:
			case <-s.ctx.Done():
				s.pool.count(0, 0, 1+left())
				return
			}
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
func (s *streamJob[I, O]) drain() int {
	for n := 0; ; n++ {
		select {
		case _, ok := <-s.items:
			if !ok {
				return n
			}
		default:
			return n
		}
	}
}

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
}

// receive waits for the next result: ok is false when the feeder's end came
// instead, over true when the loop must end (it has yielded why).
func (l *streamLoop[I, O]) receive() (r streamItem[O], ok, over bool) {
	s := l.s
	if s.ctx.Err() != nil { // a load: checked first, so that a cancel ends the loop at once
		return r, false, l.fail(ctxError(s.ctx))
	}
	select {
	case r = <-s.results: // fast path, as in feed
	default:
		select {
		case r = <-s.results:
		case <-l.fed:
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
		case <-s.ctx.Done():
			return r, false, l.fail(ctxError(s.ctx))
		}
	}
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
	<-l.s.tokens // only now: the window counts the pair being yielded
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
		if r.busy.Load() && !r.expired.Load() { // expire has abandoned its own
			s.pool.abandon(r.w, r.gen)
		}
	}
}

// callWithin runs fn on input it, under the watchdog when there is a
// deadline: an input still running at its deadline is failed at once by
// expire, even when it ignores its ctx, as in Map.
func (r *streamRunner[I, O]) callWithin(it streamItem[I]) (O, error) {
	s := r.job
	if s.watch == nil {
		return callOne(&r.ctx, s.fn, it.val)
	}
	r.timed.begin(it.seq)
	v, err := callOne(&r.timed.ctx, s.fn, it.val) // a panic too must reach settle
	if !r.timed.settle(it.seq, false) {
		return v, errExpired
	}
	return v, err
}

// expire fails input seq of runner r, which ran past its deadline, unless fn
// has returned meanwhile: the loop gets the failure at once, r's slot goes to
// a fresh worker and a new runner takes r's place.
func (s *streamJob[I, O]) expire(r *streamRunner[I, O], seq int) {
	if !r.timed.expire(seq) {
		return
	}
	r.expired.Store(true)
	s.pool.count(0, 1, 0)
	s.results <- streamItem[O]{seq: seq, err: context.DeadlineExceeded} // never blocks: seq holds a token
	s.pool.abandon(r.w, r.gen)
	if s.ctx.Err() != nil {
		return
	}
	next := &streamRunner[I, O]{job: s}
	s.mu.Lock()
	s.runners = append(s.runners, next)
	s.mu.Unlock()
	s.watch.add(next)
	if err := s.pool.enqueue(s.ctx, next, nil); err != nil {
		s.cancel(err)
	}
}

// streamRunner is one pool runner of a Stream: it calls fn on inputs from the
// feeder until they end or the job does.
type streamRunner[I, O any] struct {
	job     *streamJob[I, O]
	w       *worker
	gen     uint64
	ctx     workerCtx   // the job's ctx, giving w's Local values
	busy    atomic.Bool // inside fn; stored after w and gen, so a reader of busy sees them
	timed   timed       // the deadline of the input running, with one
	expired atomic.Bool // expire failed r's input: r's slot is given away
}

func (r *streamRunner[I, O]) start(w *worker, gen uint64) bool {
	r.w, r.gen = w, gen
	r.ctx = workerCtx{r.job.ctx, &w.locals}
	if r.job.watch != nil {
		r.timed.init(&r.ctx, r.job.watch)
	}
	return r.job.ctx.Err() == nil
}

func (r *streamRunner[I, O]) stop(err error) { r.job.cancel(err) }

func (r *streamRunner[I, O]) fail(err error) {
	r.job.cancel(err)
	r.job.pool.abandon(r.w, r.gen)
}

func (r *streamRunner[I, O]) run() (*task, error) {
	s := r.job
	var done, failed int // counted in the stats a batch at a time
	defer func() { s.pool.count(done, failed, 0) }()
	for {
		if s.pool.handOff(r.w, r) {
			return nil, nil
		}
		var it streamItem[I]
		var ok bool
		select {
		case it, ok = <-s.items: // fast path, as in feed
		default:
			select {
			case it, ok = <-s.items:
			case <-s.ctx.Done():
				s.pool.count(0, 0, s.drain())
				return nil, nil
			}
		}
		if !ok {
			return nil, nil
		}
		if s.ctx.Err() != nil {
			s.pool.count(0, 0, 1+s.drain())
			return nil, nil
		}
		r.busy.Store(true)
		v, err := r.callWithin(it)
		r.busy.Store(false)
		if err == errExpired {
			return nil, nil // expire sent the failure and gave r's slot away
		}
		if err != nil {
			failed++
		} else {
			done++
		}
		if done+failed == 64 {
			s.pool.count(done, failed, 0)
			done, failed = 0, 0
		}
		s.results <- streamItem[O]{seq: it.seq, val: v, err: err}
	}
}

// callOne runs fn on one input and turns a panic into a *PanicError.
func callOne[I, O any](ctx context.Context, fn func(context.Context, I) (O, error), in I) (v O, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r, Stack: debug.Stack()}
		}
	}()
	return fn(ctx, in)
}

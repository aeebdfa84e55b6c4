package pool

import (
	"cmp"
	"context"
	"errors"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Map calls fn for every input on p's workers and returns the results in input
// order. It always returns a slice of len(in): every input that finished has its
// result there and the rest hold zero values, so finished work is not thrown
// away. The error says what went wrong: by default the first failure cancels the
// rest and is returned as a *TaskError naming the input; with CollectErrors every
// input runs and the error is errors.Join of every *TaskError; when ctx ends
// first, Map returns at once with ctx's error, even while an fn ignores its ctx.
// When Map returns before every input has run, that error is wrapped in a
// *PartialError, which tells the inputs that finished from the zero values.
//
// One exception keeps fast inputs fast: results of inputs that take under 100ns
// are made visible 64 at a time, so when Map ends early while an fn hangs ignoring
// its ctx, the results of up to 63 fast inputs just before it are lost (and
// PartialError does not count them as finished).
//
// Map does not queue a task per input: up to Workers(n) loops claim chunks of
// inputs (sized to run for tens of microseconds) and write results straight into
// the output, so its cost per item is close to a hand-written parallel loop.
func Map[I, O any](ctx context.Context, p *Pool, in []I, fn func(context.Context, I) (O, error), opts ...MapOption) ([]O, error) {
	j := &mapJob[I, O]{pool: p, in: in, fn: fn, cfg: newMapConfig(opts), out: make([]O, len(in)), end: make(chan struct{})}
	if len(in) == 0 {
		return j.out, nil
	}
	j.ctx, j.cancel = context.WithCancelCause(ctx)
	defer j.cancel(context.Canceled)
	j.report = newReporter(j.cfg.progress, j.end1)
	defer j.report.close()
	// The loops exist before any is queued: finish reads j.runners.
	j.runners = make([]*mapRunner[I, O], min(p.size(), len(in)))
	j.maxChunk = max(1, min(chunkMax, len(in)/(4*len(j.runners))))
	if d := cmp.Or(j.cfg.timeout, p.cfg.taskTimeout); d > 0 { // per input: Timeout's or the pool's TaskTimeout
		j.watch = newWatchdog(d)
		defer j.watch.close()
	}
	for i := range j.runners {
		j.runners[i] = &mapRunner[I, O]{job: j}
		if j.watch != nil {
			j.watch.add(j.runners[i])
		}
	}
	// Once the first loop runs, expire may append to j.runners under j.mu.
	first := j.runners
	p.runJob(ctx, len(first), func(i int) runner { return first[i] }, j.end, j.end1)
	// Loops still inside fn after an early end are abandoned: their slots go to
	// fresh workers (expire has done so for its loops already).
	for _, r := range j.runners {
		r.abandonBusy(p)
	}
	// The last count reaches Progress before Map returns, unless ctx ends.
	err := j.report.flush(ctx)
	if j.err != nil {
		err = j.err
	}
	return j.out, err
}

// mapJob is one call of Map.
type mapJob[I, O any] struct {
	pool     *Pool
	ctx      context.Context // the items' ctx: Map's, cancelled when the job ends
	cancel   context.CancelCauseFunc
	in       []I
	out      []O
	fn       func(context.Context, I) (O, error)
	cfg      mapConfig
	report   *reporter // Progress's; nil without it
	watch    *watchdog // enforces the per-input deadline; nil without one
	runners  []*mapRunner[I, O]
	next     atomic.Int64 // the first input not claimed yet
	maxChunk int          // the largest chunk a loop claims
	over     atomic.Bool  // the job has ended: out is final; set under mu, read by the loops without it
	end      chan struct{}

	mu       sync.Mutex // guards out while the loops run, and what follows
	finished int        // inputs whose result or error is in
	errs     []error    // with CollectErrors
	spare    []span     // inputs claimed by loops that expired, for others to claim
	err      error      // the job's error, final once end is closed
}

// claimedAll is stored into next when the job ends: no claim succeeds after it.
const claimedAll = 1 << 62

// end1 ends the job with err unless it has ended already.
func (j *mapJob[I, O]) end1(err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.over.Load() {
		j.finish(err)
	}
}

// finish ends the job with err. It first keeps the results the loops have staged
// but not published, after giving loops in a block of fast inputs the moment it
// takes to stage it: so finished inputs are kept, but for the fast ones sharing
// a block with an input that hangs ignoring its ctx. j.mu must be held.
func (j *mapJob[I, O]) finish(err error) {
	j.over.Store(true) // out is final; loops stop at the end of the input or block they are in
	j.awaitBlocks()
	rescued := false
	for _, r := range j.runners {
		if n := int(r.staged.Load()); n > 0 && !r.expired.Load() { // expire has kept an expired loop's
			lo := r.lo.Load()
			copy(j.out[lo:], r.buf[:n])
			r.rescued = n
			r.pending.lo = int(lo) + n
			j.finished += n
			j.pool.count(n, 0, 0)
			rescued = true
		}
	}
	if rescued {
		j.report.report(j.finished, len(j.in))
	}
	// Inputs never claimed will not run.
	claimed := min(int(j.next.Swap(claimedAll)), len(j.in))
	j.pool.count(0, 0, len(j.in)-claimed)
	for _, s := range j.spare {
		j.pool.count(0, 0, s.hi-s.lo)
	}
	j.err = j.partial(err, claimed)
	close(j.end)
	j.cancel(context.Canceled)
}

// awaitBlocks waits, for blockWait at most, until every loop inside a block of
// fast inputs has staged it or left fn.
func (j *mapJob[I, O]) awaitBlocks() {
	deadline := time.Now().Add(blockWait)
	for _, r := range j.runners {
		if !r.busy.Load() || !r.fast.Load() {
			continue
		}
		for s := r.staged.Load(); r.busy.Load() && r.staged.Load() == s && time.Now().Before(deadline); {
			runtime.Gosched()
		}
	}
}

// publish copies r's staged results, of inputs lo.., into out and, when err is
// not nil, records the failure of the input after them; hi ends the chunk. It
// returns how many results it published, and false when the job has ended: it
// then only counts the chunk's inputs that finish did not keep as cancelled.
func (j *mapJob[I, O]) publish(r *mapRunner[I, O], lo, hi int, err error) (int, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := int(r.staged.Load())
	r.staged.Store(0)
	if j.over.Load() {
		j.pool.count(0, 0, hi-lo-r.rescued)
		return 0, false
	}
	copy(j.out[lo:], r.buf[:n])
	j.finished += n
	r.pending.lo = lo + n
	if err != nil && j.ctx.Err() != nil {
		// fn returned because Map's ctx ended, before Map saw it end: the job
		// ends with ctx's error, and the rest of the chunk counts as cancelled.
		j.pool.count(n, 0, hi-lo-n)
		j.finish(ctxError(j.ctx))
		return n, false
	}
	var fail *TaskError
	failed, canceled := 0, 0
	if err != nil {
		j.finished++
		r.pending.lo++ // j.errs has it
		failed = 1
		fail = &TaskError{Index: lo + n, Err: err}
		j.errs = append(j.errs, fail)
		if !j.cfg.collect {
			canceled = hi - fail.Index - 1 // the rest of the chunk will not run
		}
	}
	j.pool.count(n, failed, canceled)
	j.report.report(j.finished, len(j.in))
	switch {
	case fail != nil && !j.cfg.collect:
		j.finish(fail)
		return n, false
	case j.finished == len(j.in):
		j.finishAll()
	}
	return n, true
}

// finishAll ends the job once every input has finished, with errors.Join of
// the failures in input order: chunks finish out of order. j.mu must be held.
func (j *mapJob[I, O]) finishAll() {
	slices.SortFunc(j.errs, func(a, b error) int { return a.(*TaskError).Index - b.(*TaskError).Index })
	j.finish(errors.Join(j.errs...))
}

// loopSlot is what a loop of Map or Stream keeps of the worker it runs on,
// for its job's end and its watchdog.
type loopSlot struct {
	w       *worker
	gen     uint64
	ctx     workerCtx   // the job's ctx, giving w's Local values
	busy    atomic.Bool // inside fn; stored after w and gen, so a reader of busy sees them
	timed   timed       // the deadline of the input running, with one
	expired atomic.Bool // expire failed the loop's input: its slot is given away
}

// bind gives the slot to the loop l starting on w as its runner number gen,
// in a job with ctx and watch (nil without a deadline). Pool.mu is held.
func (s *loopSlot) bind(w *worker, gen uint64, ctx context.Context, watch *watchdog, l timedLoop) {
	s.w, s.gen = w, gen
	s.ctx = workerCtx{ctx, &w.locals}
	if watch != nil {
		s.timed.init(&s.ctx, watch, l)
	}
}

func (s *loopSlot) clock() *timed { return &s.timed }

// abandonBusy abandons the loop once its job has ended, if it is still inside
// fn: expire has abandoned an expired loop already.
func (s *loopSlot) abandonBusy(p *Pool) {
	if s.busy.Load() && !s.expired.Load() {
		p.abandon(s.w, s.gen)
	}
}

// mapRunner is one loop of a Map job: it claims chunks of inputs until none is
// left or the job ends.
type mapRunner[I, O any] struct {
	job *mapJob[I, O]
	loopSlot
	fast atomic.Bool // staging a block at a time
	buf  []O         // results of the chunk being run, not yet published

	// staged counts the results in buf. It is stored after each result or block
	// of results (see calls) and reset by publish, under the job's mu: so finish,
	// also under mu, can read buf[:staged] while the loop goes on writing past it.
	staged  atomic.Int32
	lo      atomic.Int64 // the input of buf[0]; stored before staged
	rescued int          // results of this chunk that finish kept; guarded by the job's mu
	// pending are the inputs of its chunk not yet published: claimed by
	// claim, shrunk by publish and finish; guarded by the job's mu. What
	// finish finds there has not finished (see PartialError).
	pending span
}

// Chunks start at one input and double while a chunk takes under chunkFast, so
// slow inputs are published one by one and fast ones cost a lock per thousands.
// Results are staged (made visible to finish) after each input that takes
// stageEachAbove or more, and after each stageBlock inputs when they are faster:
// a store per fast input would cost more than the input.
const (
	chunkFast      = 50 * time.Microsecond
	chunkSlow      = time.Millisecond
	chunkMax       = 4096
	stageEachAbove = 100 * time.Nanosecond
	stageBlock     = 64
	// blockWait bounds how long finish waits for loops to stage the block of
	// fast inputs they are in: a block takes under 64 x 100ns unless one of its
	// inputs hangs.
	blockWait = 100 * time.Microsecond
)

func (r *mapRunner[I, O]) start(w *worker, gen uint64) bool {
	r.bind(w, gen, r.job.ctx, r.job.watch, r)
	return !r.job.over.Load()
}

func (r *mapRunner[I, O]) stop(err error) { r.job.end1(err) }

func (r *mapRunner[I, O]) fail(err error) {
	r.job.end1(err)
	r.job.pool.abandon(r.w, r.gen)
}

func (r *mapRunner[I, O]) run() (*task, error) {
	j := r.job
	size, perItem := 1, time.Duration(0)
	for !j.over.Load() && j.ctx.Err() == nil {
		if j.pool.handOff(r.w, r) {
			return nil, nil
		}
		lo, hi := j.claim(r, size)
		if lo >= hi {
			return nil, nil
		}
		began := time.Now()
		if !r.chunk(lo, hi, perItem == 0 || perItem >= stageEachAbove) {
			return nil, nil
		}
		took := time.Since(began)
		perItem = took / time.Duration(hi-lo)
		switch {
		case took < chunkFast:
			size = min(2*size, j.maxChunk)
		case took > chunkSlow && size > 1:
			size /= 2
		}
	}
	return nil, nil
}

// chunk runs inputs lo..hi and publishes their results, staging each as it
// comes when each is true. It reports false when the job has ended.
func (r *mapRunner[I, O]) chunk(lo, hi int, each bool) bool {
	if r.buf == nil {
		r.buf = make([]O, r.job.maxChunk) // one allocation: chunks grow to it fast
	}
	r.fast.Store(!each)
	for lo < hi {
		r.lo.Store(int64(lo))
		r.busy.Store(true)
		err := r.calls(lo, hi, each)
		r.busy.Store(false)
		if err == errExpired {
			return false // expire counted the input and gave r's slot away
		}
		n, ok := r.job.publish(r, lo, hi, err)
		if !ok {
			return false
		}
		lo += n
		if err != nil {
			lo++
		}
	}
	return true
}

// calls runs fn on inputs lo..hi into r.buf until one fails or the job ends, and
// returns the error of the failed one, nil otherwise. It stages results after
// each input when each is true, else after each block of stageBlock.
func (r *mapRunner[I, O]) calls(lo, hi int, each bool) (err error) {
	ok := 0
	j := r.job
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
			if j.watch != nil && !r.timed.settle(lo+ok) {
				err = errExpired
			}
		}
		if err != errExpired { // expire has kept the results and reset staged
			r.staged.Store(int32(ok))
		}
	}()
	if j.watch != nil {
		return r.timedCalls(lo, hi, each, &ok)
	}
	if each {
		for ; lo+ok < hi && !j.over.Load(); ok++ {
			v, err := j.fn(&r.ctx, j.in[lo+ok])
			if err != nil {
				return err
			}
			r.buf[ok] = v
			r.staged.Store(int32(ok + 1))
		}
		return nil
	}
	// The hot loop of a fast Map: the call and the store, and a block's end
	// now and then.
	fn, ctx, in, buf := j.fn, &r.ctx, j.in[lo:hi], r.buf[:hi-lo]
	for ok < len(in) && !j.over.Load() {
		end := min(ok+stageBlock, len(in))
		for ; ok < end; ok++ {
			v, err := fn(ctx, in[ok])
			if err != nil {
				return err
			}
			buf[ok] = v
		}
		r.staged.Store(int32(ok))
	}
	return nil
}

// runJob queues n runners of a job on p and waits until the job ends (end
// is closed) or ctx does; end1 ends the job with an error, once.
func (p *Pool) runJob(ctx context.Context, n int, runner func(i int) runner, end <-chan struct{}, end1 func(error)) {
	if ctx.Err() != nil {
		end1(ctxError(ctx))
		return
	}
	for i := range n {
		if err := p.enqueue(ctx, runner(i), nil); err != nil {
			end1(err)
			break
		}
	}
	select {
	case <-end:
	case <-ctx.Done():
		end1(ctxError(ctx))
	}
}

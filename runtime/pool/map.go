package pool

import (
	"context"
	"errors"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Map calls fn for every input on p's workers and returns the results in input
// order. It always returns a slice of len(in): every input that finished has its
// result there and the rest hold zero values, so finished work is never thrown
// away. The error says what went wrong: by default the first failure cancels the
// rest and is returned as a *TaskError naming the input; with CollectErrors every
// input runs and the error is errors.Join of every *TaskError; when ctx ends
// first, Map returns at once with ctx's error, even while an fn ignores its ctx.
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
	if ctx.Err() != nil {
		j.abort(ctxError(ctx))
		return j.out, j.err
	}
	// The loops are allocated before any is queued: abort reads j.runners.
	j.runners = make([]*mapRunner[I, O], min(p.cfg.workers, len(in)))
	for i := range j.runners {
		j.runners[i] = &mapRunner[I, O]{job: j}
	}
	for _, r := range j.runners {
		if err := p.enqueue(ctx, r, nil); err != nil {
			j.abort(err)
			break
		}
	}
	select {
	case <-j.end:
	case <-ctx.Done():
		j.abort(ctxError(ctx))
	}
	return j.out, j.err
}

// mapJob is one call of Map.
type mapJob[I, O any] struct {
	pool    *Pool
	ctx     context.Context // the items' ctx: Map's, cancelled when the job ends
	cancel  context.CancelCauseFunc
	in      []I
	out     []O
	fn      func(context.Context, I) (O, error)
	cfg     mapConfig
	runners []*mapRunner[I, O]
	next    atomic.Int64 // the first input not claimed yet
	over    atomic.Bool  // mirrors ended, for the loops to read without mu
	end     chan struct{}

	mu       sync.Mutex // guards out once the loops run, and what follows
	ended    bool       // out is final: nothing more is written to it
	finished int        // inputs whose result or error is in
	errs     []error    // with CollectErrors
	err      error      // the job's error, final once end is closed
}

// claimedAll is stored into next when the job ends: no claim succeeds after it.
const claimedAll = 1 << 62

// finish ends the job with err. j.mu must be held.
func (j *mapJob[I, O]) finish(err error) {
	j.ended = true
	j.over.Store(true)
	j.err = err
	// Inputs never claimed will not run.
	if claimed := j.next.Swap(claimedAll); claimed < int64(len(j.in)) {
		j.pool.stats.canceled.Add(int64(len(j.in)) - claimed)
	}
	close(j.end)
	j.cancel(context.Canceled)
}

// abort ends the job early with err: out keeps what finished, the items' ctx is
// cancelled, and the loops still inside fn are abandoned.
func (j *mapJob[I, O]) abort(err error) {
	j.mu.Lock()
	if j.ended {
		j.mu.Unlock()
		return
	}
	j.finish(err)
	j.mu.Unlock()
	for _, r := range j.runners {
		if r.busy.Load() {
			j.pool.abandon(r.w, r.gen)
		}
	}
}

// publish copies the results of inputs lo..lo+len(res) into out and, when err is
// not nil, records the failure of the input after them; hi ends the chunk. It
// reports false when the job has ended: the chunk's inputs not published then
// count as cancelled.
func (j *mapJob[I, O]) publish(res []O, lo, hi int, err error) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.ended {
		j.pool.stats.canceled.Add(int64(hi - lo))
		return false
	}
	copy(j.out[lo:], res)
	j.finished += len(res)
	j.pool.stats.done.Add(int64(len(res)))
	var fail *TaskError
	if err != nil {
		j.finished++
		j.pool.stats.failed.Add(1)
		fail = &TaskError{Index: lo + len(res), Err: err}
		j.errs = append(j.errs, fail)
	}
	if j.cfg.progress != nil {
		j.cfg.progress(j.finished, len(j.in))
	}
	switch {
	case fail != nil && !j.cfg.collect:
		j.pool.stats.canceled.Add(int64(hi - fail.Index - 1))
		j.finish(fail)
		return false
	case j.finished == len(j.in):
		// Chunks finish out of order: report errors in input order.
		slices.SortFunc(j.errs, func(a, b error) int { return a.(*TaskError).Index - b.(*TaskError).Index })
		j.finish(errors.Join(j.errs...))
	}
	return true
}

// mapRunner is one loop of a Map job: it claims chunks of inputs until none is
// left or the job ends.
type mapRunner[I, O any] struct {
	job  *mapJob[I, O]
	w    *worker
	gen  uint64
	busy atomic.Bool // inside fn; stored after w and gen, so a reader of busy sees them
	buf  []O         // results of the chunk being run
}

// Chunks start at one input and double while a chunk takes under chunkFast, so
// slow inputs are published one by one and fast ones cost a lock per thousands.
const (
	chunkFast = 50 * time.Microsecond
	chunkSlow = time.Millisecond
	chunkMax  = 4096
)

func (r *mapRunner[I, O]) start(w *worker, gen uint64) bool {
	r.w, r.gen = w, gen
	return !r.job.over.Load()
}

func (r *mapRunner[I, O]) stop(err error) { r.job.abort(err) }

func (r *mapRunner[I, O]) run() {
	j := r.job
	n := int64(len(j.in))
	size := int64(1)
	for j.ctx.Err() == nil {
		lo := j.next.Add(size) - size
		if lo >= n {
			return
		}
		hi := min(lo+size, n)
		began := time.Now()
		if !r.chunk(int(lo), int(hi)) {
			return
		}
		switch took := time.Since(began); {
		case took < chunkFast:
			size = min(2*size, chunkMax, max(1, n/int64(4*len(j.runners))))
		case took > chunkSlow && size > 1:
			size /= 2
		}
	}
}

// chunk runs inputs lo..hi and publishes their results. It reports false when the
// job has ended.
func (r *mapRunner[I, O]) chunk(lo, hi int) bool {
	j := r.job
	if cap(r.buf) < hi-lo {
		r.buf = make([]O, chunkMax)
	}
	for lo < hi {
		r.busy.Store(true)
		ok, err := r.calls(lo, hi)
		r.busy.Store(false)
		if !j.publish(r.buf[:ok], lo, hi, err) {
			return false
		}
		lo += ok
		if err != nil {
			lo++
		}
	}
	return true
}

// calls runs fn on inputs lo..hi into r.buf until one fails: it returns how many
// succeeded and the error of the one after them, nil when all succeeded.
func (r *mapRunner[I, O]) calls(lo, hi int) (ok int, err error) {
	j := r.job
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	for ; lo+ok < hi; ok++ {
		v, err := j.call(j.in[lo+ok])
		if err != nil {
			return ok, err
		}
		r.buf[ok] = v
	}
	return ok, nil
}

// call runs fn on one input, under TaskTimeout when the pool has one.
func (j *mapJob[I, O]) call(in I) (O, error) {
	if d := j.pool.cfg.taskTimeout; d > 0 {
		ctx, cancel := context.WithTimeout(j.ctx, d)
		defer cancel()
		return j.fn(ctx, in)
	}
	return j.fn(j.ctx, in)
}

package pool

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"time"
)

// Map and Stream under TaskTimeout or Timeout: one input at a time, each
// failed at its deadline even when it ignores its ctx.

// errItemTimeout is the cause of an input's ctx that TaskTimeout ended, and
// errExpired tells a loop, when fn returns, that expire already failed that
// input: the result is dropped and the loop, whose slot went to another, stops.
var (
	errItemTimeout = errors.New("pool: TaskTimeout")
	errExpired     = errors.New("pool: input expired")
)

// callWithin runs fn on input i, under TaskTimeout when the pool has one: an
// input still running at its deadline is failed at once by expire, even when it
// ignores its ctx.
func (r *mapRunner[I, O]) callWithin(i int) (O, error) {
	j := r.job
	d := j.timeout
	if d <= 0 {
		return j.fn(&r.ctx, j.in[i])
	}
	return callTimed(&r.ctx, d, &r.item, i, j.fn, j.in[i], func() { j.expire(r, i) })
}

// callTimed runs fn on in, input seq, with a deadline d after its start: an
// input still running at its deadline is failed at once by expire, even when
// it ignores its ctx. item holds seq+1 while fn runs; whoever swaps it to 0
// first, fn's return or expire, settles the input: when expire did, callTimed
// returns errExpired.
func callTimed[I, O any](parent context.Context, d time.Duration, item *atomic.Int64, seq int, fn func(context.Context, I) (O, error), in I, expire func()) (O, error) {
	ctx, cancel := context.WithTimeoutCause(parent, d, errItemTimeout)
	defer cancel()
	item.Store(int64(seq) + 1)
	stop := context.AfterFunc(ctx, func() {
		if context.Cause(ctx) == errItemTimeout {
			expire()
		}
	})
	v, err := callOne(ctx, fn, in) // a panic too must reach the swap below
	stop()
	if !item.CompareAndSwap(int64(seq)+1, 0) {
		var zero O
		return zero, errExpired
	}
	return v, err
}

// expire fails input i of loop r, which ran past TaskTimeout, unless fn has
// returned meanwhile. r's slot goes to a fresh worker, and with CollectErrors a
// new loop takes r's place for the inputs left.
func (j *mapJob[I, O]) expire(r *mapRunner[I, O], i int) {
	if !r.item.CompareAndSwap(int64(i)+1, 0) {
		return
	}
	r.expired.Store(true)
	j.mu.Lock()
	var next *mapRunner[I, O]
	if j.over.Load() {
		j.pool.count(0, 0, 1)
	} else {
		j.finished++
		fail := &TaskError{Index: i, Err: context.DeadlineExceeded}
		j.errs = append(j.errs, fail)
		j.pool.count(0, 1, 0)
		j.report.report(j.finished, len(j.in))
		switch {
		case !j.cfg.collect:
			j.finish(fail)
		case j.finished == len(j.in):
			slices.SortFunc(j.errs, func(a, b error) int { return a.(*TaskError).Index - b.(*TaskError).Index })
			j.finish(errors.Join(j.errs...))
		default:
			next = &mapRunner[I, O]{job: j}
			j.runners = append(j.runners, next)
		}
	}
	j.mu.Unlock()
	j.pool.abandon(r.w, r.gen)
	if next != nil {
		if err := j.pool.enqueue(j.ctx, next, nil); err != nil {
			j.end1(err)
		}
	}
}

package pool

import (
	"context"
	"runtime/debug"
	"slices"
	"time"
)

// streamRunner is one pool runner of a Stream: it calls fn on inputs from the
// feeder, a batch at a time, until they end or the job does.
type streamRunner[I, O any] struct {
	job *streamJob[I, O]
	loopSlot

	// batch is the inputs taken last. Under a deadline, expire reads it while
	// fn hangs: the loop wrote it before it began the input that hangs.
	batch []streamItem[I]
}

func (r *streamRunner[I, O]) start(w *worker, gen uint64) bool {
	r.bind(w, gen, r.job.ctx, r.job.watch, r)
	return r.job.ctx.Err() == nil
}

func (r *streamRunner[I, O]) stop(err error) { r.job.cancel(err) }

func (r *streamRunner[I, O]) fail(err error) {
	r.job.cancel(err)
	r.job.pool.abandon(r.w, r.gen)
}

// run takes batches of inputs and runs them until none is left or the job
// ends. A batch starts at one input and doubles while it takes under
// chunkFast, as Map's chunks do, up to 16: a worker may take more than its
// share of the inputs waiting, but only as many as it runs in about 50µs.
// (An even share measured 14% slower on tiny inputs.)
func (r *streamRunner[I, O]) run() (*task, error) {
	s := r.job
	var done, failed int // counted in the stats a batch at a time
	defer func() { s.pool.count(done, failed, 0) }()
	size := 1
	for {
		if s.pool.handOff(r.w, r) {
			return nil, nil
		}
		var why int
		r.batch, why = s.items.take(r.batch[:0], size, s.ctx.Done(), nil)
		if why != tookItems {
			if why == tookDone {
				s.pool.count(0, 0, s.drain())
			}
			return nil, nil
		}
		began := time.Now()
		for i, it := range r.batch {
			if s.ctx.Err() != nil { // no input starts after the job's end
				s.pool.count(0, 0, len(r.batch)-i+s.drain())
				return nil, nil
			}
			r.busy.Store(true)
			v, err := r.callWithin(it)
			r.busy.Store(false)
			if err == errExpired {
				return nil, nil // expire failed it, and gave r's slot and the rest of the batch away
			}
			if err != nil {
				failed++
			} else {
				done++
			}
			// Each result goes at once: the next input may hang.
			s.results.put(streamItem[O]{seq: it.seq, val: v, err: err})
		}
		if done+failed >= 64 {
			s.pool.count(done, failed, 0)
			done, failed = 0, 0
		}
		switch took := time.Since(began); {
		case took < chunkFast && size < streamWindow:
			size *= 2
		case took > chunkSlow && size > 1:
			size /= 2
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
	if !r.timed.settle(it.seq) {
		return v, errExpired
	}
	return v, err
}

// expire fails input seq of runner r, which ran past its deadline, unless fn
// has returned meanwhile: the loop gets the failure at once, the inputs after
// it in r's batch go back to the others, r's slot goes to a fresh worker and a
// new runner takes r's place.
func (s *streamJob[I, O]) expire(r *streamRunner[I, O], seq int) {
	if !r.timed.expire(seq) {
		return
	}
	r.expired.Store(true)
	s.pool.count(0, 1, 0)
	// r began seq after it took its batch: the swap of timed.item orders
	// that before this.
	i := slices.IndexFunc(r.batch, func(it streamItem[I]) bool { return it.seq == seq })
	s.items.putAll(r.batch[i+1:])
	s.results.put(streamItem[O]{seq: seq, err: context.DeadlineExceeded})
	s.pool.abandon(r.w, r.gen)
	if s.ctx.Err() != nil {
		// The job may have drained s.items before the put (a precise input's
		// Err can expire it after the loop's end): as the feeder does.
		s.pool.count(0, 0, s.drain())
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

// callOne runs fn on one input and turns a panic into a *PanicError.
func callOne[I, O any](ctx context.Context, fn func(context.Context, I) (O, error), in I) (v O, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r, Stack: debug.Stack()}
		}
	}()
	return fn(ctx, in)
}

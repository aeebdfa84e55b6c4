package pool

import (
	"context"
	"iter"
	"sync"

	"github.com/poolgen/poolgen/runtime/internal/remote"
)

// Stream calls the function with every element of args in p's child
// processes and yields each result with its error, like [Stream] with a
// function that calls [ProcessFunc.Call]: in input order unless Unordered,
// errors as *TaskError without stopping the stream, a loop that breaks
// cancelling what is left, one last pair with ctx's error when ctx ends.
//
// Like [ProcessFunc.Map] it keeps several calls queued in each child, at
// about 1.5µs per call on top of the function; at most 256 inputs per worker
// are pulled from args and not yet yielded. When the pool has a TaskTimeout,
// or Timeout is given, Stream falls back to one call at a time.
func (f *ProcessFunc[A, R]) Stream(ctx context.Context, p *Pool, args iter.Seq[A], opts ...MapOption) iter.Seq2[R, error] {
	cfg := newMapConfig(opts)
	if p.cfg.taskTimeout > 0 || cfg.timeout > 0 {
		return Stream(ctx, p, args, f.call(p), opts...)
	}
	return func(yield func(R, error) bool) {
		window := p.size() * remote.MaxWindow
		s := &streamJob[A, R]{
			pool:    p,
			cfg:     cfg,
			gate:    newGate(window),
			results: newHandoff[streamItem[R]](1, window),
			fed:     make(chan struct{}),
		}
		s.ctx, s.cancel = context.WithCancelCause(ctx)
		ps := &procStream[A, R]{s: s, name: f.name, items: make(chan remote.Input, window)}
		defer ps.end1(nil)
		job := f.job(s.ctx, p, ps, ps.deliver, ps.end1)
		for range window / remote.MaxWindow {
			if err := p.enqueue(ctx, job.runner(job.NewDriver()), nil); err != nil {
				var zero R
				yield(zero, err)
				return
			}
		}
		go s.feedWith(args, ps.put, func() int { return 0 }, func() { close(ps.items) })
		s.loop(yield, window)
	}
}

// procStream is one loop of ProcessFunc.Stream: the source of its job's
// inputs, fed from the sequence, and the sender of their outcomes to the
// streamJob's loop.
type procStream[A, R any] struct {
	s     *streamJob[A, R]
	name  string
	items chan remote.Input // never full: s.gate bounds it

	mu       sync.Mutex
	ended    bool
	fed      int // inputs fed
	resolved int // inputs whose outcome is in
	tally    tally
}

func (ps *procStream[A, R]) Take() (in remote.Input, ok, more bool) {
	select {
	case in, ok = <-ps.items:
		return in, ok, ok
	default:
		return in, false, true
	}
}

func (ps *procStream[A, R]) Items() <-chan remote.Input { return ps.items }

// put hands input v to the drivers, encoded; one that cannot be encoded
// fails at once. It reports false when the job has ended.
func (ps *procStream[A, R]) put(v A) bool {
	s := ps.s
	b, err := encodeInput(ps.name, v)
	ps.mu.Lock()
	if ps.ended {
		ps.mu.Unlock()
		s.pool.count(0, 0, 1)
		return false
	}
	seq := s.total
	s.total++
	ps.fed++
	if err == nil {
		ps.items <- remote.Input{Seq: seq, Arg: b} // room: the gate let it in
	}
	ps.mu.Unlock()
	if err != nil {
		ps.record(seq, *new(R), err)
	}
	return true
}

// deliver decodes and records the outcome of input seq.
func (ps *procStream[A, R]) deliver(seq int, value []byte, err error) {
	r, err := decodeOutcome[R](ps.name, value, err)
	ps.record(seq, r, err)
}

// record sends the outcome of input seq to the loop, unless the job has ended.
func (ps *procStream[A, R]) record(seq int, v R, err error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.ended || err != nil && ps.s.ctx.Err() != nil {
		return // an error after the job's end is the end's doing: the input counts as cancelled
	}
	ps.tally.add(ps.s.pool, err)
	ps.resolved++
	ps.s.results.put(streamItem[R]{seq: seq, val: v, err: err})
}

// end1 ends the job, once: the inputs fed without an outcome count as
// cancelled, and the drivers stop. A Stream's loop yields err when the pool
// stopped the job (err non-nil).
func (ps *procStream[A, R]) end1(err error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.ended {
		return
	}
	ps.ended = true
	ps.tally.flush(ps.s.pool, ps.fed-ps.resolved)
	if err == nil {
		err = context.Canceled
	}
	ps.s.cancel(err)
}

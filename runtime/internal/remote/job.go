package remote

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// A Job is one Map, or one Stream loop, of a registered function: instead of
// one blocking Call per pool worker, which leaves each worker idle while its
// reply travels back and the next call comes, each of its Drivers holds a
// worker and keeps a window of calls queued in it. The worker still runs
// them one at a time, in order, and sends each reply before it starts the
// next call; a driver writes its calls in bursts, one write each.
//
// What a window changes, and how the promises still hold:
//   - A worker that dies fails the oldest call not answered (the one it was
//     running); the calls queued behind it never started, and are sent
//     again, to a fresh worker, in order.
//   - When the job ends early (its ctx, the first error), a driver tells its
//     worker to cancel every call it holds: the running one's ctx ends, the
//     queued ones are answered unrun. A watcher then gives the worker the
//     grace period to answer them all before it kills it, and the driver's
//     pool worker is free at once.
//   - MaxTasks bounds the calls sent to a worker, not only those run.
//   - A call that runs far longer than its worker takes per call (Stuck, or
//     ten times the average) may ignore its ctx for good: the calls queued
//     behind it are revoked (the worker answers them unrun) and go back to
//     the job, and a new driver takes them to another worker. The driver of
//     the slow call sends its worker no more until that call returns.
type Job struct {
	Backend  Backend
	Name     string          // the registered function
	Ctx      context.Context // ends with the job: drivers stop sending
	Deadline int64           // of every call, in unix ns; 0 for none
	Source   Source
	// Deliver records the outcome of input seq: the bytes of its result
	// (valid only during the call) or its error. It is called at most once
	// per input that ran, from any goroutine.
	Deliver func(seq int, value []byte, err error)
	// Spawn starts d.Run on a worker of the pool; it fails when the pool
	// does not take it.
	Spawn func(d *Driver) error
	// Window is the window a driver starts with; 0: MinWindow. A cluster
	// worker starts with the batch its submitter sized.
	Window int

	nback atomic.Int32 // len(back), read without mu
	mu    sync.Mutex
	back  []Input // inputs a worker gave back unrun, to be taken first
}

// A Source hands out a job's inputs.
type Source interface {
	// Take returns the next input without waiting: ok is false when none is
	// ready, more false when none will ever come.
	Take() (in Input, ok, more bool)
	// Items is where inputs arrive when Take has none ready; nil when Take
	// never has to wait (Map).
	Items() <-chan Input
}

// Input is one input of a job: its position and its encoded argument.
type Input struct {
	Seq int
	Arg []byte
}

// Tuning of the drivers' windows. A driver sizes its window to hold about
// Queued of work, from the time a worker takes per call: from MinWindow calls
// for slow ones (so that a worker does not hoard calls that another could
// run) up to MaxWindow for tiny ones (so that a worker does not wait for the
// parent between two). It sends more calls when half of the window has been
// answered. Stuck is the least time a call runs before the calls behind it
// are revoked.
const (
	Queued    = 500 * time.Microsecond
	MinWindow = 2
	MaxWindow = 256
	Stuck     = 100 * time.Millisecond
)

// take returns the next input without waiting, a given-back one first.
func (j *Job) take() (in Input, ok, more bool) {
	if j.nback.Load() > 0 {
		j.mu.Lock()
		if len(j.back) > 0 {
			in = j.back[0]
			j.back = j.back[1:]
			j.nback.Add(-1)
			j.mu.Unlock()
			return in, true, true
		}
		j.mu.Unlock()
	}
	return j.Source.Take()
}

// giveBack returns an input that a worker gave back unrun to the job, for
// any driver to take.
func (j *Job) giveBack(in Input) {
	if j.Ctx.Err() != nil {
		return
	}
	j.mu.Lock()
	j.back = append(j.back, in)
	j.nback.Add(1)
	j.mu.Unlock()
}

// NewDriver returns a driver of j, for Spawn to start.
func (j *Job) NewDriver() *Driver {
	d := &Driver{job: j, wake: make(chan struct{}, 1), wakeAt: -1, window: MinWindow}
	if j.Window > 0 {
		d.window = min(max(j.Window, MinWindow), MaxWindow)
	}
	d.stuck = time.NewTimer(time.Hour)
	d.stuck.Stop()
	return d
}

package remote

import (
	"math"
	"slices"
	"sync"
	"time"

	"github.com/poolgen/poolgen/runtime/internal/wire"
)

// A Driver is one runner of a Job, on a worker of the pool: it holds a
// backend worker at a time and keeps calls queued in it. When the job ends
// it leaves the worker to a watcher, which then uses the session's fields.
type Driver struct {
	job  *Job
	wake chan struct{} // a token when pending has shrunk to wakeAt

	mu      sync.Mutex
	retry   []Input // inputs to send first: they never started in a worker that died
	futile  int     // workers in a row that died before answering any call
	pending []pendingCall
	sent    int // calls sent to the worker held now that ran or may still run
	ran     int // of which answered having run
	wakeAt  int // wake the driver when len(pending) <= wakeAt; -1: do not

	window    int           // how many calls to keep queued in the worker
	perCall   time.Duration // the time a worker takes per call, averaged
	busySince time.Time     // the last reply, when more calls were pending behind it

	headSince  time.Time   // when the oldest pending call became the oldest: about when it started
	stuck      *time.Timer // fires when the oldest pending call may be stuck
	revoked    bool        // the calls behind the oldest were revoked: send no more until it returns
	revokeHead uint64      // the id of the oldest pending call when they were
	revokeLeft int         // revoked calls not answered yet
}

// pendingCall is a call sent to a worker and not answered.
type pendingCall struct {
	id      uint64
	in      Input
	written bool // some of it reached the worker: it may have started it
}

// Run sends the job's inputs to workers until none is left or the job ends.
func (d *Driver) Run() {
	j := d.job
	defer d.stuck.Stop()
	for {
		first, ok := d.first()
		if !ok || j.Ctx.Err() != nil {
			return
		}
		c, err := j.Backend.Acquire(j.Ctx)
		if err != nil {
			if j.Ctx.Err() == nil {
				j.Deliver(first.Seq, nil, err)
			}
			continue
		}
		d.mu.Lock()
		d.retry = slices.Insert(d.retry, 0, first)
		d.mu.Unlock()
		if !d.session(c) {
			return
		}
	}
}

// first returns the next input to run, waiting for one if need be; false when
// none is left or the job has ended.
func (d *Driver) first() (Input, bool) {
	j := d.job
	d.mu.Lock()
	if len(d.retry) > 0 {
		in := d.retry[0]
		d.retry = d.retry[1:]
		d.mu.Unlock()
		return in, true
	}
	d.mu.Unlock()
	in, ok, more := j.take()
	if ok || !more {
		return in, ok
	}
	select {
	case in, ok = <-j.Source.Items():
		return in, ok
	case <-j.Ctx.Done():
		return in, false
	}
}

// session keeps calls queued in c until none is left to send, c has had its
// MaxTasks or died, or the job ends. It reports whether the driver should go
// on with another worker.
func (d *Driver) session(c Conn) bool {
	j := d.job
	d.mu.Lock()
	d.pending, d.sent, d.ran, d.wakeAt = d.pending[:0], 0, 0, -1
	d.revoked, d.revokeLeft = false, 0
	d.mu.Unlock()
	c.SetHandler(d)
	budget := math.MaxInt
	if m := j.Backend.MaxTasks(); m > 0 {
		budget = m - c.Tasks()
	}
	for {
		more := d.fill(c, budget)
		next, err := d.flush(c, more, budget)
		if next.release {
			j.Backend.Release(c, next.ran, next.retire)
			return true
		}
		if err != nil {
			c.Kill() // it cannot be reached: it is ending, or must
		}
		var items <-chan Input
		if next.canSend {
			items = j.Source.Items()
		}
		var stuck <-chan time.Time
		if next.stuckIn > 0 {
			d.stuck.Reset(next.stuckIn)
			stuck = d.stuck.C
		}
		select {
		case <-d.wake:
		case in, ok := <-items:
			if ok {
				d.mu.Lock()
				d.retry = append(d.retry, in)
				d.mu.Unlock()
			}
		case <-stuck:
			d.revokeIfStuck(c)
		case <-c.Dead():
			d.died(c)
			return true
		case <-j.Ctx.Done():
			d.leave(c)
			return false
		}
	}
}

// fill adds calls to c's buffer until the window is full, and lists them as
// pending before they are written: a reply may come at once. more is false
// when no input is left to take.
func (d *Driver) fill(c Conn, budget int) (more bool) {
	j := d.job
	d.mu.Lock()
	room := min(d.window-len(d.pending), budget-d.sent)
	if d.revoked {
		room = 0
	}
	d.mu.Unlock()
	more = true
	var batch []pendingCall
	for ; room > 0 && j.Ctx.Err() == nil; room-- {
		d.mu.Lock()
		in, ok := Input{}, len(d.retry) > 0
		if ok {
			in = d.retry[0]
			d.retry = d.retry[1:]
		}
		d.mu.Unlock()
		if !ok {
			if in, ok, more = j.take(); !ok {
				break
			}
		}
		id := c.NextID()
		if err := c.Add(&wire.Msg{Kind: wire.KindCall, ID: id, Name: j.Name, Deadline: j.Deadline, Grace: j.Backend.CallGrace(), Value: in.Arg}); err != nil {
			j.Deliver(in.Seq, nil, err)
			continue
		}
		batch = append(batch, pendingCall{id: id, in: in})
	}
	d.mu.Lock()
	if len(d.pending) == 0 && len(batch) > 0 {
		d.headSince = time.Now()
	}
	d.pending = append(d.pending, batch...)
	d.sent += len(batch)
	d.mu.Unlock()
	return more
}

// step is what a session does after a flush: release its worker, or wait,
// with or without taking more inputs, and for stuckIn before checking whether
// the oldest call is stuck (0: do not check).
type step struct {
	release, retire bool
	ran             int
	canSend         bool
	stuckIn         time.Duration
}

// flush writes the calls that fill added, and says what the session does next.
func (d *Driver) flush(c Conn, more bool, budget int) (step, error) {
	wrote, err := c.Flush()
	d.mu.Lock()
	defer d.mu.Unlock()
	if err == nil || wrote {
		for i := len(d.pending) - 1; i >= 0 && !d.pending[i].written; i-- {
			d.pending[i].written = true
		}
	}
	n := len(d.pending)
	full := d.revoked || d.sent >= budget
	switch {
	case err != nil:
		d.wakeAt = -1
	case n == 0:
		return step{release: true, ran: d.ran, retire: d.sent >= budget}, nil
	case !more || full:
		d.wakeAt = 0
	default:
		d.wakeAt = min(d.window/2, n-1)
	}
	next := step{canSend: err == nil && more && !full && n < d.window}
	if err == nil && n > 1 && !d.revoked {
		next.stuckIn = max(time.Until(d.headSince.Add(d.stuckAfter())), time.Millisecond)
	}
	return next, err
}

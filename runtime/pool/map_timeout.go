package pool

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// errItemTimeout is the cause of an input's ctx that its deadline ended, and
// errExpired tells a loop, when fn returns, that the watchdog already failed
// that input: the result is dropped and the loop, whose slot went to another,
// stops.
var (
	errItemTimeout = errors.New("pool: TaskTimeout")
	errExpired     = errors.New("pool: input expired")
)

// A watchdog enforces the per-input deadline (Timeout or TaskTimeout) of one
// Map or Stream. A deadline per input would cost a timer, a context and a turn
// on the parent's lock per input, and even a clock read per input costs more
// than a cheap input; here each loop only stores which input it runs (see
// timed.begin), and the watchdog, ticking every d/128, notes when it first
// sees each input running and fails it d after that: never before its
// deadline, and at most two ticks after it (more only when the machine keeps
// the watchdog from running).
//
// A deadline under preciseBelow, where two ticks of 50µs would be a large
// part of it, is kept exactly: each loop reads the clock when an input
// starts, and the input's ctx.Err reads it too, so an input that looks at its
// ctx sees the deadline pass on time, however short; the watchdog fails one
// that does not look within two ticks.
type watchdog struct {
	d, every time.Duration
	precise  bool         // d < preciseBelow: inputs record when they start
	epoch    time.Time    // times count from it
	tick     atomic.Int64 // the last scan's time
	mu       sync.Mutex
	loops    []timedLoop // guarded by mu: loops that replace expired ones join
	stop     chan struct{}
	exited   chan struct{}
}

// A timedLoop is a Map or Stream loop whose inputs run under a deadline.
type timedLoop interface {
	clock() *timed
	timeUp(seq int) // input seq ran past its deadline, unless fn has returned
}

// preciseBelow is the deadline under which inputs record when they start:
// a clock read per input, which costs a cheap input more than the rest of its
// deadline's upkeep, is worth it only where the ticks are coarse.
const preciseBelow = 10 * time.Millisecond

// newWatchdog starts the watchdog of a job whose inputs each get d.
func newWatchdog(d time.Duration) *watchdog {
	w := &watchdog{d: d, every: max(d/128, 50*time.Microsecond), precise: d < preciseBelow, epoch: time.Now(), stop: make(chan struct{}), exited: make(chan struct{})}
	go w.run()
	return w
}

// add makes w watch l's inputs. l may start, and init its clock, later: until
// it begins an input, w finds none running.
func (w *watchdog) add(l timedLoop) {
	w.mu.Lock()
	w.loops = append(w.loops, l)
	w.mu.Unlock()
}

// close stops w and waits for it to return: a scan may be under way.
func (w *watchdog) close() {
	close(w.stop)
	<-w.exited
}

func (w *watchdog) run() {
	defer close(w.exited)
	t := time.NewTicker(w.every)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
			w.scan()
		}
	}
}

// scan notes the inputs it sees for the first time and fails those it first
// saw d ago or more, which started no later than that; with precise, those
// that started d ago or more.
func (w *watchdog) scan() {
	now := w.now()
	w.tick.Store(now)
	w.mu.Lock()
	loops := w.loops
	w.mu.Unlock()
	for _, l := range loops {
		c := l.clock()
		item := c.item.Load()
		switch {
		case w.precise:
			// start is loaded after item, and begin stores it before: it is
			// this input's start or a later input's, never an earlier one's.
			if item != 0 && now-c.start.Load() >= int64(w.d) {
				l.timeUp(int(item - 1))
			}
		case item != c.seen.Load():
			// The clock read after item's load: item may have begun since now.
			c.start.Store(w.now()) // before seen: see Deadline
			c.seen.Store(item)
		case item != 0 && now-c.start.Load() >= int64(w.d):
			l.timeUp(int(item - 1))
		}
	}
}

// now is the time since w's epoch: time.Since reads only the monotonic clock.
func (w *watchdog) now() int64 { return int64(time.Since(w.epoch)) }

// timed is the deadline state of one loop.
type timed struct {
	// item is the input running, plus one; 0 when none. fn's return (settle)
	// and timeUp race to swap it to 0: the winner accounts for the input.
	item atomic.Int64
	seen atomic.Int64 // item as the watchdog last saw it; without precise only
	// start is when item started, from the watchdog's epoch: stored by the
	// loop as it begins item with a precise watchdog, else by the watchdog
	// when it first sees item (never before item started).
	start atomic.Int64
	ctx   inputCtx  // the ctx the loop's inputs get
	loop  timedLoop // whose clock this is
}

// init gives the inputs of loop l a ctx under parent that w's deadlines end.
func (c *timed) init(parent context.Context, w *watchdog, l timedLoop) {
	c.ctx = inputCtx{parent: parent, clock: c, w: w}
	c.loop = l
}

// begin marks input seq as running.
func (c *timed) begin(seq int) {
	if c.ctx.w.precise {
		c.start.Store(c.ctx.w.now())
	}
	c.item.Store(int64(seq) + 1)
}

// settle reports whether fn's return settles input seq: false when the
// watchdog failed it first.
func (c *timed) settle(seq int) bool { return c.item.CompareAndSwap(int64(seq)+1, 0) }

// expire claims input seq for the watchdog, unless fn has returned, and ends
// its ctx with the cause errItemTimeout.
func (c *timed) expire(seq int) bool {
	if !c.item.CompareAndSwap(int64(seq)+1, 0) {
		return false
	}
	c.ctx.expire()
	return true
}

func (r *mapRunner[I, O]) timeUp(seq int)    { r.job.expire(r, seq) }
func (r *streamRunner[I, O]) timeUp(seq int) { r.job.expire(r, seq) }

// expire fails input i of loop r, which ran past its deadline, unless fn has
// returned meanwhile or the job has ended (Map's end then abandons r). The
// results r has run before i are kept, r's slot goes to a fresh worker, and
// the inputs r claimed after i are cancelled or, with CollectErrors, left for
// the other loops, a new one taking r's place.
func (j *mapJob[I, O]) expire(r *mapRunner[I, O], i int) {
	j.mu.Lock()
	if j.over.Load() || !r.timed.expire(i) {
		j.mu.Unlock()
		return
	}
	r.expired.Store(true)
	// Inputs lo..i-1 have run, their results in buf: begin(i) came after.
	lo := int(r.lo.Load())
	copy(j.out[lo:], r.buf[:i-lo])
	r.staged.Store(0)
	rest := span{i + 1, r.pending.hi}
	r.pending = span{}
	j.finished += i - lo + 1
	fail := &TaskError{Index: i, Err: context.DeadlineExceeded}
	j.errs = append(j.errs, fail)
	j.pool.count(i-lo, 1, 0)
	j.report.report(j.finished, len(j.in))
	var next *mapRunner[I, O]
	switch {
	case !j.cfg.collect:
		r.pending = rest // not finished, for PartialError
		j.pool.count(0, 0, rest.hi-rest.lo)
		j.finish(fail)
	case j.finished == len(j.in):
		j.finishAll()
	default:
		if rest.lo < rest.hi {
			j.spare = append(j.spare, rest)
		}
		next = &mapRunner[I, O]{job: j}
		j.runners = append(j.runners, next)
		j.watch.add(next)
	}
	j.mu.Unlock()
	j.pool.abandon(r.w, r.gen)
	if next != nil {
		if err := j.pool.enqueue(j.ctx, next, nil); err != nil {
			j.end1(err)
		}
	}
}

// timedCalls is calls under a deadline: *ok counts the inputs done. One
// atomic swap per input both settles it and marks the next as running; its
// result is in buf before, for expire to keep.
func (r *mapRunner[I, O]) timedCalls(lo, hi int, each bool, ok *int) error {
	j := r.job
	c := &r.timed
	w := c.ctx.w
	fn, ctx, in, buf := j.fn, &c.ctx, j.in[lo:hi], r.buf[:hi-lo]
	k := *ok
	if k >= len(in) || j.over.Load() {
		return nil
	}
	c.begin(lo + k)
	for {
		v, err := fn(ctx, in[k])
		if err == nil {
			buf[k] = v
		}
		// The job's end is looked at after each block, as in the loop without
		// a deadline, or after each input when they are slow.
		last := err != nil || k+1 == len(in) || (each || (k+1)%stageBlock == 0) && j.over.Load()
		next := int64(0)
		if !last {
			next = int64(lo+k) + 2
			if w.precise {
				c.start.Store(w.now()) // if the swap fails, the input it was for has expired
			}
		}
		if !c.item.CompareAndSwap(int64(lo+k)+1, next) {
			return errExpired
		}
		if err != nil {
			return err
		}
		k++
		*ok = k
		if each || k%stageBlock == 0 {
			r.staged.Store(int32(k))
		}
		if last {
			return nil
		}
	}
}

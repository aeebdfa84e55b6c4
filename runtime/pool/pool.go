package pool

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/poolgen/poolgen/runtime/internal/proc"
	"github.com/poolgen/poolgen/runtime/internal/remote"
)

// A Pool runs tasks on a fixed set of workers. Its lifetime is bound to the ctx
// given to New: when that ctx is done, queued tasks are dropped (they resolve as
// cancelled) and running tasks' contexts are cancelled.
//
// Workers start on first use and wait for work until Close. A task that ignores
// its ctx after it was cancelled is abandoned: its waiter is released at once and
// its worker's slot goes to a fresh goroutine, so the pool keeps its capacity. At
// most Workers(n) abandoned tasks give their slot away at once; past that cap an
// abandoned task keeps its slot until it returns, so a flood of tasks that ignore
// their ctx cannot grow the pool without bound.
//
// Submit and Get cost a few hundred nanoseconds and two allocations per task
// (the Future and the caller's closure; a done channel too when Get has to wait),
// less than a hand-written channel pool: a submitter queues a task without
// waiting for the workers' lock. Map hands out work in chunks and costs a few
// nanoseconds per item; Stream hands inputs over in batches, for under a
// channel pool's cost per item.
// All methods are safe for concurrent use.
//
// The zero Pool is not usable: make one with New. A closed Pool cannot be
// reused: work given to it after Close resolves with ErrClosed.
type Pool struct {
	cfg        config
	parent     context.Context // the ctx given to New
	parentDone <-chan struct{}
	stopWatch  func() bool // stops the watcher of parent
	stopOnce   sync.Once
	watchRuns  bool          // stopWatch came too late: the watcher runs or has run
	watchDone  chan struct{} // closed when the watcher of parent has finished
	room       chan struct{} // a token per queued task; nil when the queue is unbounded
	closed     chan struct{} // closed by Close: refuse new tasks
	quiet      chan struct{} // closed once closed and no goroutine of the pool is left

	queue queue // runners waiting for a worker; cancelled tasks stay until popped

	// Read without mu by every push (and shrink by the loops of Map and
	// Stream), written with mu held when a worker goes idle or is woken, starts
	// or exits: on a cache line of their own, not on mu's, which the workers
	// write for every task.
	idle   atomic.Int32 // workers waiting on wake
	short  atomic.Bool  // workers < cfg.workers: push may have to start one
	shrink atomic.Bool  // workers > cfg.workers since a Resize: loops hand over (resize.go)
	_      [64]byte

	mu         sync.Mutex
	wake       sync.Cond // idle workers wait here for work or for the end
	workers    int       // worker goroutines holding one of the cfg.workers slots
	detached   int       // goroutines still running an abandoned task, their slot given away
	live       map[*worker]struct{}
	watches    map[<-chan struct{}]*ctxWatch // by Done channel of the Submit ctx
	cancelling int                           // goroutines cancelling tasks now: watches firing, a shutdown
	closing    bool                          // Close was called
	stopped    bool                          // the parent ctx ended or Close gave up: nothing more starts
	stopErr    error                         // why stopped, for tasks that arrive after
	isQuiet    bool
	procs      *proc.Set      // process mode's children, made on first use (process_set.go)
	remote     remote.Backend // the Transport's backend, made in New; nil without one

	stats counters
}

// a worker is one goroutine of the pool. Its fields are guarded by Pool.mu.
type worker struct {
	cur       runner      // what it runs now; nil while idle
	gen       uint64      // counts the runners it started, to tell a late abandon apart
	detached  bool        // its runner was abandoned and its slot given away
	handedOff bool        // its loop went back to the queue and its slot with it (resize.go)
	abandoned abandonMark // the runner last abandoned, until counted (abandon.go)
	locals    locals      // its Local values; guarded by their own mutex
}

// A runner is what the queue holds: a submitted task, or one of the loops that run
// the items of a Map or Stream.
type runner interface {
	// start claims the runner for w before it runs, with Pool.mu held. It reports
	// false when there is nothing to run (a task cancelled while queued).
	start(w *worker, gen uint64) bool
	// run runs it on w's goroutine, without Pool.mu. A submitted task that it
	// resolved with its result comes back with its error, for the worker to count
	// and publish under Pool.mu.
	run() (*task, error)
	// stop ends it because the pool stopped, whether queued or running.
	stop(err error)
	// fail ends it, running, because its goroutine is exiting in runtime.Goexit.
	fail(err error)
}

// New returns a Pool whose lifetime is bound to ctx. Call Close to release its
// workers.
func New(ctx context.Context, opts ...Option) *Pool {
	p := &Pool{
		cfg:        newConfig(opts),
		parent:     ctx,
		parentDone: ctx.Done(),
		watchDone:  make(chan struct{}),
		closed:     make(chan struct{}),
		quiet:      make(chan struct{}),
		live:       make(map[*worker]struct{}),
		watches:    make(map[<-chan struct{}]*ctxWatch),
	}
	p.wake.L = &p.mu
	if t := p.cfg.transport; t != nil {
		p.remote = t.PoolBackend(p.cfg.processGrace, p.cfg.graceSet)
	}
	p.queue.init()
	p.short.Store(true)
	if p.cfg.queueSize > 0 {
		p.room = make(chan struct{}, p.cfg.queueSize)
	}
	p.stopWatch = context.AfterFunc(ctx, func() {
		defer close(p.watchDone)
		p.shutdown(withCause(context.Canceled, ctxError(ctx)))
	})
	return p
}

// enqueue queues r for a worker: a submitted task t, or a loop of Map or Stream
// (t nil). A bounded queue makes a task wait, on ctx, for room; the loops, at most
// Workers(n) per call, do not take room. It fails when the pool is closed or
// stopped or ctx ends first.
func (p *Pool) enqueue(ctx context.Context, r runner, t *task) error {
	bounded := p.room != nil && t != nil
	if bounded {
		select {
		case p.room <- struct{}{}:
		default:
			select {
			case p.room <- struct{}{}:
			case <-ctx.Done():
				return ctxError(ctx)
			case <-p.closed:
				return ErrClosed
			case <-p.parentDone:
				return withCause(context.Canceled, ctxError(p.parent))
			}
		}
	}
	return p.push(r, t, bounded)
}

// tryRoom takes room in a bounded queue for a task without waiting, and
// reports whether it did: false when the queue is full.
func (p *Pool) tryRoom() bool {
	if p.room == nil {
		return true
	}
	select {
	case p.room <- struct{}{}:
		return true
	default:
		return false
	}
}

// push queues r, and its task t if any, for a worker; t holds room in a
// bounded queue when bounded, and gives it back when push fails: the pool is
// closed or stopped.
//
// It takes Pool.mu only when a worker must be woken or started: while every
// worker is busy, a submitter and the workers do not take turns on one lock.
// That is safe because push publishes r before it reads idle, and a worker
// counts itself idle before it looks at the queue a last time (see next):
// one of the two sees the other.
func (p *Pool) push(r runner, t *task, bounded bool) error {
	ok, err := p.queue.push(r, t)
	if !ok {
		if bounded {
			p.releaseRoom()
		}
		return err
	}
	if p.idle.Load() > 0 || p.short.Load() {
		p.mu.Lock()
		p.wakeOne()
		p.mu.Unlock()
	}
	return nil
}

// wakeOne wakes an idle worker for a runner just queued, or starts one in a
// free slot. p.mu must be held.
// A push's wake can come late, after a worker took the runner and Close
// returned: it starts no worker for an empty queue.
func (p *Pool) wakeOne() {
	if p.idle.Load() > 0 {
		p.idle.Add(-1) // this worker is taken: the next push must not count on it
		p.wake.Signal()
	} else if p.workers < p.cfg.workers && !p.stopped && !p.queue.empty() {
		p.spawn()
	}
}

// releaseRoom gives back the token a queued task took from a bounded queue.
func (p *Pool) releaseRoom() {
	if p.room != nil {
		<-p.room
	}
}

// spawn starts a worker in a free slot. p.mu must be held.
func (p *Pool) spawn() {
	p.countWorkers(1)
	w := &worker{}
	p.live[w] = struct{}{}
	go p.work(w)
}

// work is a worker's loop: take the next runner, run it, repeat until the pool
// closes or stops.
func (p *Pool) work(w *worker) {
	goexit := true
	defer func() {
		if goexit {
			p.goexit(w)
		}
	}()
	p.mu.Lock()
	for p.next(w) {
		p.mu.Unlock()
		t, err := w.cur.run()
		p.mu.Lock()
		p.settleReturned(w)
		if t != nil {
			// The task's outcome is counted before its waiters can see it.
			p.unwatch(t)
			p.stats.running--
			if err == nil {
				p.stats.done++
			} else {
				p.stats.failed++
			}
			t.publish()
		}
		w.cur = nil
		if w.handedOff {
			goexit = false
			p.exit(w)
			return
		}
		if w.detached {
			// Its task was abandoned and its slot given away: take a slot back
			// if one is free, else leave.
			w.detached = false
			p.detached--
			if p.workers >= p.cfg.workers {
				goexit = false
				p.exit(w)
				return
			}
			p.countWorkers(1)
		}
	}
	goexit = false
	p.leave()
	p.exit(w)
}

// errCloseGaveUp is the cause of the tasks that Close cancels when its ctx ends
// first. It is not ErrClosed, which only refuses work given to a closed pool.
var errCloseGaveUp = errors.New("pool: Close gave up waiting")

// errGoexit resolves a task that called runtime.Goexit (t.FailNow in a test, for
// one): its goroutine ends, but its waiter must not wait forever.
var errGoexit = errors.New("pool: task called runtime.Goexit")

// goexit cleans up after w's goroutine, which is ending in runtime.Goexit inside
// a runner: the runner fails, and w's slot goes to a fresh worker if there is
// work.
func (p *Pool) goexit(w *worker) {
	w.cur.fail(errGoexit) // frees w's slot like an abandon would
	p.mu.Lock()
	w.abandoned = abandonMark{} // it is returning: not a task that ignores its ctx
	if w.detached {
		p.detached--
	} else {
		p.leave()
		if !p.queue.empty() && !p.stopped {
			p.spawn()
		}
	}
	w.cur = nil
	p.exit(w)
}

// exit closes w's Local values and removes w from the pool; p.mu must be held,
// and exit unlocks it. w stays in p.live while its values close, so that Close
// waits for them.
func (p *Pool) exit(w *worker) {
	p.mu.Unlock()
	w.locals.close()
	p.mu.Lock()
	delete(p.live, w)
	p.checkQuiet()
	p.mu.Unlock()
}

// next waits, with p.mu held, until a runner can start on w, and sets w.cur. It
// reports false when w should exit: the pool stopped, it closed and nothing is
// queued, or Resize left it one worker too many.
func (p *Pool) next(w *worker) bool {
	// The parent ctx's end stops the pool even before its watcher has run.
	for !p.stopped && p.parent.Err() == nil {
		if p.workers > p.cfg.workers {
			return false
		}
		r, ok := p.queue.pop()
		if !ok {
			if p.closing {
				return false
			}
			p.idle.Add(1) // whoever wakes it takes it off: see wakeOne and wakeAll
			// A push that published its runner before it could see w idle
			// left it to w: look once more.
			if r, ok = p.queue.pop(); !ok {
				p.wake.Wait()
				continue
			}
			p.idle.Add(-1)
		}
		w.gen++
		if r.start(w, w.gen) {
			w.cur = r
			return true
		}
	}
	return false
}

// wakeAll wakes every idle worker. p.mu must be held.
func (p *Pool) wakeAll() {
	p.idle.Store(0)
	p.wake.Broadcast()
}

package pool

import "time"

// abandonGrace is how long a task may take to return after its waiter was
// released before Stats counts it as Abandoned: the 50ms of Stats' doc. A
// task that watches its ctx returns well within it; its worker's slot is
// given away at once all the same.
const abandonGrace = 50 * time.Millisecond

// abandonMark is a worker's runner that was abandoned, until it is counted.
type abandonMark struct {
	gen uint64    // the runner's number; 0 for none
	at  time.Time // when its waiter was released; zero once counted or returned
}

// abandon frees the slot of w, whose runner number gen is still running although
// its waiter was released, so that the pool keeps its capacity while that
// goroutine finishes. Past the cap of cfg.workers detached goroutines the slot
// stays taken until the runner returns.
func (p *Pool) abandon(w *worker, gen uint64) {
	p.mu.Lock()
	p.abandonLocked(w, gen)
	p.mu.Unlock()
}

// abandonLocked is abandon with p.mu held. The runner counts as Abandoned only
// if it still runs abandonGrace from now (see settle).
func (p *Pool) abandonLocked(w *worker, gen uint64) {
	if w.cur == nil || w.gen != gen {
		return // it has returned meanwhile
	}
	if w.abandoned.gen != gen {
		w.abandoned = abandonMark{gen, time.Now()}
	}
	if w.detached || p.detached >= p.cfg.workers {
		return
	}
	w.detached = true
	p.detached++
	p.leave()
	if !p.queue.empty() && p.idle.Load() == 0 && !p.stopped {
		p.spawn()
	}
}

// settleAll counts in Stats.Abandoned every abandoned runner that has now run
// the grace past the release of its waiter. p.mu must be held.
func (p *Pool) settleAll() {
	now := time.Now()
	for w := range p.live {
		p.settle(w, now, false)
	}
}

// settleReturned settles the abandoned runner of w, if any, which has just
// returned. p.mu must be held.
func (p *Pool) settleReturned(w *worker) {
	if !w.abandoned.at.IsZero() { // most runners were not abandoned: no clock read
		p.settle(w, time.Now(), true)
	}
}

// settle counts w's abandoned runner in Stats.Abandoned if, by now, it has run
// the pool's abandonGrace past the release of its waiter; once it has returned
// it is settled either way. p.mu must be held.
func (p *Pool) settle(w *worker, now time.Time, returned bool) {
	switch {
	case w.abandoned.at.IsZero():
	case now.Sub(w.abandoned.at) >= p.cfg.abandonGrace:
		p.stats.abandoned++
		w.abandoned.at = time.Time{}
	case returned:
		w.abandoned.at = time.Time{}
	}
}

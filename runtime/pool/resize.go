package pool

// Resize sets how many tasks run at once to n, as Workers(n) in New would
// have; n < 1 means 1. Growing starts workers at once for the tasks waiting.
// Shrinking lets each worker beyond n finish the task it runs, then exit,
// closing its Local values: no new task starts beyond n. A Map or Stream loop
// on such a worker hands its inputs left to the other loops between two
// chunks of inputs; a Map or Stream already running keeps the number of loops
// it started with, or fewer. In process mode the child processes follow:
// children beyond n exit once idle. Stats stay exact throughout.
//
// Resize does not wait for workers to exit, and does nothing after Close.
func (p *Pool) Resize(n int) {
	n = max(n, 1)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closing || p.stopped {
		return
	}
	p.cfg.workers = n
	p.countWorkers(0)
	if p.procs != nil {
		p.procs.Resize(n)
	}
	if p.workers > n {
		p.wakeAll() // idle workers beyond n exit (see next)
		return
	}
	for waiting := p.queue.count(n) - int(p.idle.Load()); p.workers < n && waiting > 0; waiting-- {
		p.spawn() // a worker per runner waiting that no idle worker will take
	}
}

// size returns how many tasks run at once now, for the loops of Map and
// Stream to count theirs.
func (p *Pool) size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cfg.workers
}

// leave gives up a worker's slot. p.mu must be held.
func (p *Pool) leave() { p.countWorkers(-1) }

// countWorkers adds d to the workers holding a slot, and tells push and the
// loops of Map and Stream, which read without p.mu, whether the pool is short
// of workers or has too many. p.mu must be held.
func (p *Pool) countWorkers(d int) {
	p.workers += d
	p.short.Store(p.workers < p.cfg.workers)
	p.shrink.Store(p.workers > p.cfg.workers)
}

// handOff puts r, a Map or Stream loop running on w between two inputs, back
// in the queue when Resize has left w one worker too many, and reports
// whether it did: r.run must then return at once without touching r, and w
// exits. It costs an atomic load unless the pool is shrinking.
func (p *Pool) handOff(w *worker, r runner) bool {
	if !p.shrink.Load() {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.workers <= p.cfg.workers || w.detached || p.stopped {
		return false
	}
	p.leave()
	w.handedOff = true
	p.queue.requeue(r)
	p.wakeOne()
	return true
}

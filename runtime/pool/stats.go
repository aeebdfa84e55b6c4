package pool

// counters are the pool's Stats, guarded by Pool.mu: the hot path updates them
// inside lock sections it holds anyway, so they cost no extra atomic traffic.
// push does not hold Pool.mu: it counts the tasks it queues in queue.tasks,
// and queued counts the rest (start and cancel take them off, so it is
// negative): Stats.Queued is their sum.
type counters struct {
	queued, running, done, failed, canceled, abandoned int
}

// count adds the outcomes of Map and Stream inputs to the stats.
func (p *Pool) count(done, failed, canceled int) {
	p.mu.Lock()
	p.stats.done += done
	p.stats.failed += failed
	p.stats.canceled += canceled
	p.mu.Unlock()
}

// Stats is a snapshot of a Pool's counts. Every submitted task, and every item of
// Map and Stream, ends in exactly one of Done, Failed or Canceled.
//
// Abandoned counts the tasks that ignore their ctx: those whose goroutine still
// runs 50ms after their waiter was released (by a ctx, Cancel or TaskTimeout).
// A task that returns within that grace, as one that watches its ctx does, is
// not counted; one that never returns is counted once the grace has passed.
// Its worker's slot is given away at once all the same (see Pool). A Map or
// Stream counts one per loop still inside fn.
type Stats struct {
	Queued    int // tasks waiting for a worker now
	Running   int // tasks running now and not yet resolved
	Done      int // tasks that returned a nil error
	Failed    int // tasks that returned an error, panicked, or ran past TaskTimeout
	Canceled  int // tasks ended by a ctx, by Cancel, or refused (ErrClosed, a full queue); not TrySubmit's refusals
	Abandoned int // of those resolved, tasks still running 50ms after their waiter was released
}

// Stats returns the pool's counts, read at one instant. A task's outcome is
// counted before its Future resolves.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.settleAll()
	s := p.stats
	return Stats{s.queued + p.queue.pushedTasks(), s.running, s.done, s.failed, s.canceled, s.abandoned}
}

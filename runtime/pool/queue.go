package pool

import (
	"sync"
	"sync/atomic"
)

// queue is a FIFO of runners waiting for a worker, with two locks (Michael and
// Scott's two-lock queue): those who push hold its own mutex, the workers who
// pop hold Pool.mu. A submitter then never waits for a worker's lock section,
// which a profile showed to be the largest cost of Submit: the submitter and
// the workers took turns on Pool.mu for every task.
//
// It is a list of chunks. A pusher writes a slot, then publishes it by storing
// the chunk's count; a popper reads only published slots. A few consumed
// chunks are kept for reuse, the rest left to the garbage collector, so a
// burst's memory goes with it. The pushers' fields and the poppers' are
// padded apart, and from the Pool's fields around them.
type queue struct {
	_      [64]byte
	mu     sync.Mutex // held to push; guards the fields up to the padding
	tail   *chunk
	refuse error  // once set (Close, the pool's end), push refuses with it
	tasks  int    // submitted tasks ever pushed, for Stats.Queued (see counters)
	free   *chunk // consumed chunks, linked by next, for push to reuse
	nfree  int
	_      [64]byte

	head *chunk // guarded by Pool.mu: only workers pop
	read int32  // slots popped from head
	seen int32  // head's count when last loaded: slots up to it need no load
	_    [64]byte
}

// chunkSize is how many runners a chunk holds: 2 KiB of slots.
const chunkSize = 128

// maxFree is how many consumed chunks a queue keeps for reuse: enough for a
// steady flow of a thousand tasks in flight to allocate none.
const maxFree = 16

type chunk struct {
	n     atomic.Int32 // slots published, written by the pusher
	next  atomic.Pointer[chunk]
	slots [chunkSize]runner
}

// init makes q an empty queue, before its first use.
func (q *queue) init() {
	c := new(chunk)
	q.head, q.tail = c, c
}

// push appends r, and its task t if any, or returns the error that refuses
// them. It moves t from pending to queued and counts it, under q's lock; it
// reports false, and pushes nothing, when t resolved meanwhile (its Submit
// ctx ended while it waited for room).
func (q *queue) push(r runner, t *task) (bool, error) {
	q.mu.Lock()
	if q.refuse != nil {
		err := q.refuse
		q.mu.Unlock()
		return false, err
	}
	if t != nil {
		if !t.state.CompareAndSwap(pending, queued) {
			q.mu.Unlock()
			return false, nil
		}
		q.tasks++
	}
	q.append(r)
	q.mu.Unlock()
	return true, nil
}

// requeue appends r, a loop of Map or Stream handed back by its worker,
// even once Close refuses new work: the workers drain the queue before they
// exit. Pool.mu must be held, and the pool not stopped.
func (q *queue) requeue(r runner) {
	q.mu.Lock()
	q.append(r)
	q.mu.Unlock()
}

// append writes r in the tail and publishes it. q.mu must be held.
func (q *queue) append(r runner) {
	k := q.tail.n.Load() // its own store: no other writer
	if k == chunkSize {
		c := q.free
		if c != nil {
			q.free, q.nfree = c.next.Load(), q.nfree-1
			c.next.Store(nil)
		} else {
			c = new(chunk)
		}
		q.tail.next.Store(c)
		q.tail, k = c, 0
	}
	q.tail.slots[k] = r
	q.tail.n.Store(k + 1) // publishes r
}

// pop takes the oldest runner. Pool.mu must be held. It loads the count the
// pusher writes only when the slots it saw published are all taken: while
// the queue is long, not for every task.
func (q *queue) pop() (runner, bool) {
	if q.read == q.seen {
		q.seen = q.head.n.Load()
		if q.read == q.seen {
			next := q.head.next.Load()
			if q.read < chunkSize || next == nil {
				return nil, false
			}
			q.recycle(q.head)
			q.head, q.read, q.seen = next, 0, next.n.Load()
			if q.seen == 0 {
				return nil, false
			}
		}
	}
	r := q.head.slots[q.read]
	q.head.slots[q.read] = nil
	q.read++
	return r, true
}

// recycle keeps c, consumed, for push to reuse, unless enough are kept.
// Pool.mu must be held: c is no longer in the list.
func (q *queue) recycle(c *chunk) {
	q.mu.Lock()
	if q.nfree < maxFree {
		c.n.Store(0)
		c.next.Store(q.free)
		q.free = c
		q.nfree++
	}
	q.mu.Unlock()
}

// count returns how many runners wait, counting no further than limit.
// Pool.mu must be held.
func (q *queue) count(limit int) int {
	n := 0
	read := q.read
	for c := q.head; c != nil && n < limit; c = c.next.Load() {
		n += int(c.n.Load() - read)
		read = 0
	}
	return min(n, limit)
}

// empty reports whether no runner waits. Pool.mu must be held.
func (q *queue) empty() bool { return q.count(1) == 0 }

// pushedTasks returns how many submitted tasks were ever pushed.
func (q *queue) pushedTasks() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.tasks
}

// close refuses every push from now on with ErrClosed, even after the pool's
// end: work given to a closed pool resolves with ErrClosed. Pool.mu must be
// held.
func (q *queue) close() {
	q.mu.Lock()
	q.refuse = ErrClosed
	q.mu.Unlock()
}

// takeAll refuses every push from now on with err (unless it refuses already)
// and returns what waits, as a queue of its own for one goroutine to pop.
// Pool.mu must be held.
func (q *queue) takeAll(err error) *queue {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.refuse == nil {
		q.refuse = err
	}
	all := &queue{head: q.head, read: q.read, seen: q.seen}
	q.init()
	q.read, q.seen = 0, 0
	return all
}

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
// the chunk's count; a popper reads only published slots. Consumed chunks are
// left to the garbage collector, so a burst's memory goes with it.
type queue struct {
	mu     sync.Mutex // held to push; guards tail and refuse
	tail   *chunk
	refuse error // once set (Close, the pool's end), push refuses with it

	head   *chunk // guarded by Pool.mu: only workers pop
	popped int64  // guarded by Pool.mu

	pushed atomic.Int64 // runners ever pushed: len is pushed - popped
	tasks  atomic.Int64 // submitted tasks ever pushed, for Stats.Queued (see counters)
}

// chunkSize is how many runners a chunk holds: 2 KiB of slots, one allocation
// per 128 runners.
const chunkSize = 128

type chunk struct {
	n     atomic.Int32 // slots published, written by the pusher
	read  int          // slots popped, guarded by Pool.mu
	next  atomic.Pointer[chunk]
	slots [chunkSize]runner
}

// init makes q an empty queue, before its first use.
func (q *queue) init() {
	c := new(chunk)
	q.head, q.tail = c, c
}

// push appends r, and its task t if any, or returns the error that refuses
// them. It moves t from pending to queued and counts it in tasks, under q's
// lock; it reports false, and pushes nothing, when t resolved meanwhile (its
// Submit ctx ended while it waited for room).
func (q *queue) push(r runner, t *task) (bool, error) {
	q.mu.Lock()
	if q.refuse != nil {
		err := q.refuse
		q.mu.Unlock()
		return false, err
	}
	if t != nil {
		q.tasks.Add(1) // before it can be popped, or cancelled: Stats never counts -1
		if !t.state.CompareAndSwap(pending, queued) {
			q.tasks.Add(-1)
			q.mu.Unlock()
			return false, nil
		}
	}
	c := q.tail
	k := c.n.Load()
	if k == chunkSize {
		nc := new(chunk)
		c.next.Store(nc)
		q.tail, c, k = nc, nc, 0
	}
	c.slots[k] = r
	q.pushed.Add(1) // before r is visible: len never goes negative
	c.n.Store(k + 1)
	q.mu.Unlock()
	return true, nil
}

// pop takes the oldest runner. Pool.mu must be held.
func (q *queue) pop() (runner, bool) {
	c := q.head
	if c.read == int(c.n.Load()) {
		next := c.next.Load()
		if c.read < chunkSize || next == nil {
			return nil, false
		}
		q.head, c = next, next
		if c.read == int(c.n.Load()) {
			return nil, false
		}
	}
	r := c.slots[c.read]
	c.slots[c.read] = nil
	c.read++
	q.popped++
	return r, true
}

// len is how many runners wait. Pool.mu must be held.
func (q *queue) len() int { return int(q.pushed.Load() - q.popped) }

// close refuses every push from now on with err, unless it refuses already.
// Pool.mu must be held.
func (q *queue) close(err error) {
	q.mu.Lock()
	if q.refuse == nil {
		q.refuse = err
	}
	q.mu.Unlock()
}

// takeAll refuses every push from now on with err (unless it refuses already)
// and returns what waits, as a queue of its own for one goroutine to pop.
// Pool.mu must be held.
func (q *queue) takeAll(err error) *queue {
	q.mu.Lock()
	if q.refuse == nil {
		q.refuse = err
	}
	all := &queue{head: q.head, tail: q.tail, popped: q.popped}
	all.pushed.Store(q.pushed.Load())
	q.head = new(chunk)
	q.tail, q.popped = q.head, q.pushed.Load()
	q.mu.Unlock()
	return all
}

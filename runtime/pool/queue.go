package pool

// queue is a FIFO ring of runners waiting for a worker. It is not safe for
// concurrent use: the Pool guards it with its mutex. Its length is a power of
// two, so an index wraps with a mask: a division would cost more than the
// rest of a push, under the pool's lock.
type queue struct {
	buf  []runner
	head int // index of the oldest entry
	n    int // number of entries
}

func (q *queue) len() int { return q.n }

func (q *queue) push(r runner) {
	if q.n == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.n)&(len(q.buf)-1)] = r
	q.n++
}

func (q *queue) pop() (runner, bool) {
	if q.n == 0 {
		return nil, false
	}
	r := q.buf[q.head]
	q.buf[q.head] = nil
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.n--
	if q.n == 0 && len(q.buf) > 1024 {
		*q = queue{} // let a burst's backing array go
	}
	return r, true
}

func (q *queue) grow() {
	buf := make([]runner, max(16, 2*len(q.buf)))
	for i := range q.n {
		buf[i] = q.buf[(q.head+i)&(len(q.buf)-1)]
	}
	q.buf, q.head = buf, 0
}

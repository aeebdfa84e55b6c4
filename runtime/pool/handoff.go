package pool

import "sync"

// handoff is a FIFO between the goroutines of one Stream that moves items in
// batches: a taker takes what it needs under one lock, and a put wakes a taker
// only when one sleeps. A channel would cost a lock per item on each side, and
// a sleep and a wakeup each time it runs empty.
type handoff[T any] struct {
	mu       sync.Mutex
	ring     []T // the items, oldest at head
	head, n  int
	closed   bool          // no more puts: takers return once it is empty
	sleepers int           // takers asleep on wake and not yet woken
	wake     chan struct{} // a token per taker woken; room for every taker
}

// newHandoff returns a handoff for up to takers goroutines taking at once,
// sized for size items (it grows past that if need be).
func newHandoff[T any](takers, size int) *handoff[T] {
	return &handoff[T]{ring: make([]T, max(size, 1)), wake: make(chan struct{}, takers)}
}

// put adds v and wakes a sleeping taker.
func (h *handoff[T]) put(v T) {
	h.mu.Lock()
	h.push(v)
	h.wakeOne()
	h.mu.Unlock()
}

// putAll adds vs, in order, and wakes a sleeping taker.
func (h *handoff[T]) putAll(vs []T) {
	h.mu.Lock()
	for _, v := range vs {
		h.push(v)
	}
	h.wakeOne()
	h.mu.Unlock()
}

// push adds v at the tail. h.mu must be held.
func (h *handoff[T]) push(v T) {
	if h.n == len(h.ring) {
		ring := make([]T, 2*len(h.ring))
		for i := range h.n {
			ring[i] = h.ring[(h.head+i)%len(h.ring)]
		}
		h.ring, h.head = ring, 0
	}
	h.ring[(h.head+h.n)%len(h.ring)] = v
	h.n++
}

// wakeOne wakes a sleeping taker, if any. h.mu must be held: so the token is
// in wake by the time a taker that gives up sleeping looks for it.
func (h *handoff[T]) wakeOne() {
	if h.sleepers > 0 {
		h.sleepers--
		h.wake <- struct{}{} // room: a token per sleeper
	}
}

// close says that no more items come: takers get what is left, then false.
func (h *handoff[T]) close() {
	h.mu.Lock()
	h.closed = true
	for h.sleepers > 0 {
		h.wakeOne()
	}
	h.mu.Unlock()
}

// Why a take returned.
const (
	tookItems = iota // it took one item or more
	tookEnd          // the handoff is closed and empty
	tookDone         // done was closed
	tookAlso         // also was closed
)

// take waits until h has items, is closed and empty, or done or also is
// closed, whichever comes first, and then appends up to max of the items, the
// oldest first, to dst. It says which came first.
func (h *handoff[T]) take(dst []T, max int, done, also <-chan struct{}) ([]T, int) {
	h.mu.Lock()
	for h.n == 0 {
		if h.closed {
			h.mu.Unlock()
			return dst, tookEnd
		}
		h.sleepers++
		h.mu.Unlock()
		select {
		case <-h.wake:
		case <-done:
			h.giveUp()
			return dst, tookDone
		case <-also:
			h.giveUp()
			return dst, tookAlso
		}
		h.mu.Lock()
	}
	for k := min(max, h.n); k > 0; k-- {
		dst = append(dst, h.ring[h.head])
		var zero T
		h.ring[h.head] = zero // let the item go
		h.head = (h.head + 1) % len(h.ring)
		h.n--
	}
	if h.n > 0 {
		h.wakeOne() // a putAll woke one taker: pass the rest on
	}
	h.mu.Unlock()
	return dst, tookItems
}

// giveUp takes a taker that stops waiting off the sleepers, or takes the token
// a put sent it meanwhile.
func (h *handoff[T]) giveUp() {
	h.mu.Lock()
	select {
	case <-h.wake:
	default:
		h.sleepers--
	}
	h.mu.Unlock()
}

// drain takes every item left and returns how many there were.
func (h *handoff[T]) drain() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := h.n
	clear(h.ring)
	h.head, h.n = 0, 0
	return n
}

// gate bounds a Stream's window, the inputs pulled and not yet yielded: the
// feeder enters it with each input it pulled, before it hands it over (so the
// one in its hand may be one more), and the loop lets inputs out in batches as
// it yields them.
type gate struct {
	mu      sync.Mutex
	free    int
	waiting bool          // the feeder sleeps on wake
	wake    chan struct{} // room for one token
}

func newGate(window int) *gate { return &gate{free: window, wake: make(chan struct{}, 1)} }

// enter waits for room in the window, or until done is closed: then it
// returns false.
func (g *gate) enter(done <-chan struct{}) bool {
	g.mu.Lock()
	for g.free == 0 {
		g.waiting = true
		g.mu.Unlock()
		select {
		case <-g.wake:
		case <-done:
			return false
		}
		g.mu.Lock()
	}
	g.free--
	g.mu.Unlock()
	return true
}

// leave makes room for n inputs.
func (g *gate) leave(n int) {
	if n == 0 {
		return
	}
	g.mu.Lock()
	g.free += n
	if g.waiting {
		g.waiting = false
		g.wake <- struct{}{} // room: the one waiter wakes once
	}
	g.mu.Unlock()
}

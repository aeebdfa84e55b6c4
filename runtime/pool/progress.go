package pool

import (
	"context"
	"sync"
)

// reporter calls a Progress callback on a goroutine of its own, so that a
// callback that blocks (a write to a paused terminal) holds back neither the
// work nor, once its ctx has ended, the Map or Stream loop that reports to it.
// Counts given while a call runs coalesce: the next call gets the latest one.
// Calls never overlap, and none starts once the reporter is closed. A nil
// *reporter, for a call without Progress, does nothing.
type reporter struct {
	fn      func(done, total int)
	onPanic func(error)   // ends the job when fn panics
	kick    chan struct{} // a count waits for a call; buffered, 1
	acked   chan struct{} // a call has returned; buffered, 1
	quit    chan struct{} // closed by close

	mu          sync.Mutex
	done, total int    // the latest count given
	given, told uint64 // counts given, and the number of the last one a call reported
	closed      bool
	err         error // fn's panic: no call follows it
}

// newReporter starts a reporter for fn, or returns nil when fn is nil.
func newReporter(fn func(done, total int), onPanic func(error)) *reporter {
	if fn == nil {
		return nil
	}
	r := &reporter{
		fn:      fn,
		onPanic: onPanic,
		kick:    make(chan struct{}, 1),
		acked:   make(chan struct{}, 1),
		quit:    make(chan struct{}),
	}
	go r.run()
	return r
}

// report gives the count for the next call. It does not wait for the call.
func (r *reporter) report(done, total int) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.done, r.total = done, total
	r.given++
	r.mu.Unlock()
	select {
	case r.kick <- struct{}{}:
	default: // a kick is pending: the call it makes reads the count given now
	}
}

// run calls fn with the latest count each time one is given, until the
// reporter is closed or fn panics.
func (r *reporter) run() {
	for {
		select {
		case <-r.kick:
		case <-r.quit:
			return
		}
		r.mu.Lock()
		if r.closed {
			r.mu.Unlock()
			return
		}
		if r.given == r.told { // a kick left by a count that a call has reported
			r.mu.Unlock()
			continue
		}
		// The call starts here: close, which takes mu, comes before or after.
		done, total, n := r.done, r.total, r.given
		r.mu.Unlock()
		err := recoverPanic(func() { r.fn(done, total) })
		r.mu.Lock()
		r.told, r.err = n, err
		r.mu.Unlock()
		select {
		case r.acked <- struct{}{}:
		default: // an ack is pending: flush reads told after it
		}
		if err != nil {
			r.onPanic(err)
			return
		}
	}
}

// flush waits until a call has reported the latest count given, then closes
// the reporter. When ctx ends first it closes the reporter at once, without
// waiting for a call in flight, and returns ctx's error. It returns fn's panic
// as a *PanicError.
func (r *reporter) flush(ctx context.Context) error {
	if r == nil {
		return nil
	}
	defer r.close()
	for {
		r.mu.Lock()
		settled := r.told == r.given || r.closed || r.err != nil
		err := r.err
		r.mu.Unlock()
		if settled {
			return err
		}
		select {
		case <-r.acked:
		case <-ctx.Done():
			return ctxError(ctx)
		}
	}
}

// close stops the reporter without waiting: no call starts after it returns,
// and a call in flight goes on until fn returns.
func (r *reporter) close() {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closed {
		r.closed = true
		close(r.quit)
	}
}

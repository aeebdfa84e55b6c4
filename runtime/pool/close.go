package pool

// Close and the pool's end: stop accepting, drain, or give up and cancel
// what is left; the pool is quiet once no goroutine of it is left.

import (
	"context"
	"fmt"
)

// Close stops accepting tasks (Submit resolves with ErrClosed after it) and waits
// until every queued and running task has finished and every goroutine of the
// pool has exited; then it returns nil. When ctx ends first, Close cancels what is
// left, queued and running, and returns at once with ctx's error, saying how many
// tasks were abandoned still running. Close may be called more than once.
func (p *Pool) Close(ctx context.Context) error {
	p.mu.Lock()
	if !p.closing {
		p.closing = true
		p.queue.close()
		close(p.closed)
		p.wakeAll()
		p.checkQuiet()
	}
	p.mu.Unlock()

	select {
	case <-p.quiet:
	case <-ctx.Done():
		n := p.shutdown(withCause(context.Canceled, errCloseGaveUp))
		p.killProcesses()
		return fmt.Errorf("pool: close: %w (%s abandoned still running)", ctxError(ctx), plural(n, "task"))
	}
	// The watcher of the parent ctx may be running shutdown: wait for it, so that
	// no goroutine of the pool is left when Close returns nil.
	if p.watcherStarted() {
		select {
		case <-p.watchDone:
		case <-ctx.Done():
			return fmt.Errorf("pool: close: %w", ctxError(ctx))
		}
	}
	return p.closeProcesses(ctx)
}

// watcherStarted stops the watcher of the parent ctx, once, and reports whether
// it came too late: the watcher's goroutine has started, or is about to.
func (p *Pool) watcherStarted() bool {
	p.stopOnce.Do(func() { p.watchRuns = !p.stopWatch() })
	return p.watchRuns
}

// checkQuiet closes p.quiet once Close was called, no goroutine is left, and
// nothing is queued: a runner pushed before Close is still to run. p.mu must
// be held.
func (p *Pool) checkQuiet() {
	if p.closing && len(p.live) == 0 && p.cancelling == 0 && p.queue.empty() && !p.isQuiet {
		p.isQuiet = true
		close(p.quiet)
	}
}

// shutdown stops the pool: nothing more starts, queued runners are dropped and
// running ones stopped with err, on a goroutine of their own so that shutdown is
// O(1) whatever the queue's length. It returns how many runners were still
// running, abandoned ones included.
func (p *Pool) shutdown(err error) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.busy()
	if p.stopped {
		return n
	}
	p.stopped, p.stopErr = true, err
	queued := p.queue.takeAll(err) // in O(1)
	var running []runner
	for w := range p.live {
		if w.cur != nil && !w.detached {
			running = append(running, w.cur)
		}
	}
	p.wakeAll()
	p.cancelling++ // Close waits for it: a goroutine of the pool
	go func() {
		for i, r := range running {
			r.stop(err)
			yieldEvery(i)
		}
		for i := 0; ; i++ {
			r, ok := queued.pop()
			if !ok {
				break
			}
			r.stop(err)
			yieldEvery(i)
		}
		p.mu.Lock()
		p.cancelling--
		p.checkQuiet()
		p.mu.Unlock()
	}()
	return n
}

// busy counts the goroutines running a runner. p.mu must be held.
func (p *Pool) busy() int {
	n := 0
	for w := range p.live {
		if w.cur != nil {
			n++
		}
	}
	return n
}

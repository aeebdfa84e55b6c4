package pool

// Tests of the pool's own lifecycle (its slots, Close, the watches of ctxs).
// Several come from a cold concurrency review of the package: each failed on
// the code as reviewed (run with -count=20 to see a race-dependent one fail).

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// a lost wakeup in enqueue. With one idle worker and a free slot, two
// quick enqueues both see idle == 1 and both Signal the same waiter; the second
// Signal is a no-op and no worker is spawned, so the second task waits for the
// first although Workers(2) allows both to run.
func TestSecondTaskGetsTheFreeSlotWhileAWorkerIsIdle(t *testing.T) {
	for i := range 20 {
		p := New(context.Background(), Workers(2))
		Submit(context.Background(), p, func(context.Context) (int, error) { return 0, nil }).Get(context.Background())
		eventually(t, "one idle worker", func() bool {
			p.mu.Lock()
			defer p.mu.Unlock()
			return p.idle.Load() == 1 && p.workers == 1
		})
		bStarted := make(chan struct{})
		a := Submit(context.Background(), p, func(context.Context) (bool, error) {
			select {
			case <-bStarted:
				return true, nil
			case <-time.After(5 * time.Second): // generous: b never starts while a runs when the wakeup is lost
				return false, nil
			}
		})
		Submit(context.Background(), p, func(context.Context) (int, error) { close(bStarted); return 0, nil })
		ok, _ := a.Get(context.Background())
		closeQuiet(t, p)
		if !ok {
			t.Fatalf("run %d: with Workers(2) and one idle worker, the second of two tasks did not start while the first ran", i)
		}
	}
}

// Close returns nil while the watcher of the pool's ctx is still to run.
// cancel() starts the AfterFunc goroutine (stopWatch then reports false); Close
// must wait for it (watcherStarted, watchDone) even before it has run.
func TestCloseNilWaitsForTheCtxWatcher(t *testing.T) {
	leaked := 0
	for range 100 {
		ctx, cancel := context.WithCancel(context.Background())
		p := New(ctx)
		cancel() // the watcher's goroutine is started now: stopWatch cannot stop it
		if err := p.Close(context.Background()); err != nil {
			t.Fatalf("Close = %v", err)
		}
		select {
		case <-p.watchDone:
		default:
			leaked++
		}
		within(t, "the watcher", p.watchDone)
	}
	if leaked > 0 {
		t.Fatalf("%d of 100 times Close returned nil while the pool's ctx watcher goroutine had not finished", leaked)
	}
}

// the same for the watch of a Submit ctx.
// The task's fn cancels its own Submit ctx and returns: context starts the
// AfterFunc goroutine (fire), the worker unwatches the task (stop reports false)
// and exits, Close must not see quiet (p.cancelling counts the firing watch)
// and return nil while fire has not run yet.
func TestCloseNilLeavesNoSubmitCtxWatchRunning(t *testing.T) {
	left := 0
	for range 200 {
		p := New(context.Background(), Workers(1))
		ctx, cancelX := context.WithCancel(context.Background())
		gate := make(chan struct{})
		f := Submit(ctx, p, func(context.Context) (int, error) { <-gate; cancelX(); return 1, nil })
		closed := make(chan error, 1)
		go func() { closed <- p.Close(context.Background()) }()
		eventually(t, "Close called", func() bool { p.mu.Lock(); defer p.mu.Unlock(); return p.closing })
		close(gate)
		var err error
		select {
		case err = <-closed:
		case <-time.After(5 * time.Second):
			t.Fatal("Close did not return")
		}
		if err != nil {
			t.Fatalf("Close = %v", err)
		}
		buf := make([]byte, 1<<20)
		st := string(buf[:runtime.Stack(buf, true)])
		if strings.Contains(st, "(*Pool).watch.func1") || strings.Contains(st, "(*Pool).fire") {
			left++
		}
		within(t, "the Future", f.Done())
		eventually(t, "the watch goroutine to end", func() bool {
			st := string(buf[:runtime.Stack(buf, true)])
			return !strings.Contains(st, "(*Pool).watch.func1") && !strings.Contains(st, "(*Pool).fire")
		})
	}
	if left > 0 {
		t.Fatalf("%d of 200 times Close returned nil while the goroutine of a Submit ctx watch had not finished", left)
	}
}

// a queued task starts after the pool's ctx is done. next() only looks
// at p.stopped, which the watcher goroutine sets some time after the ctx ends, and
// Future.start only checks the Submit ctx.
func TestQueuedTaskDoesNotStartAfterPoolCtxDone(t *testing.T) {
	startedAfter := 0
	for range 50 {
		ctx, cancel := context.WithCancel(context.Background())
		p := New(ctx, Workers(1))
		release := make(chan struct{})
		first := Submit(context.Background(), p, func(context.Context) (int, error) { <-release; return 0, nil })
		eventually(t, "task running", func() bool { return p.Stats().Running == 1 })
		var started atomic.Bool
		second := Submit(context.Background(), p, func(context.Context) (int, error) { started.Store(true); return 0, nil })
		cancel()
		close(release)
		within(t, "first", first.Done())
		within(t, "second", second.Done())
		closeQuiet(t, p)
		if started.Load() {
			startedAfter++
		}
	}
	if startedAfter > 0 {
		t.Fatalf("%d of 50 times a queued task started after the pool's ctx was done", startedAfter)
	}
}

// Close with a ctx that has ended returns in O(1), whatever the queue: the
// queued tasks are resolved on a goroutine of the pool.
func TestCloseGivesUpPromptlyWithALongQueue(t *testing.T) {
	p := New(context.Background(), Workers(1))
	release := make(chan struct{})
	Submit(context.Background(), p, hang(release, 0))
	eventually(t, "task running", func() bool { return p.Stats().Running == 1 })
	const queued = 200_000
	for range queued {
		Submit(context.Background(), p, func(context.Context) (int, error) { return 0, nil })
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	began := time.Now()
	p.Close(ctx)
	took := time.Since(began)
	close(release)
	// Cancelling the queued tasks, on the pool's goroutine, takes seconds under
	// -race on a loaded machine: wait for it far longer than closeQuiet does.
	drain, cancelDrain := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancelDrain()
	if err := p.Close(drain); err != nil {
		t.Fatalf("Close once the stuck task returned: %v", err)
	}
	goleak.VerifyNone(t)
	if took > 100*time.Millisecond { // generous: it took 700ms under -race when O(queue)
		t.Fatalf("Close with a done ctx took %v with %d queued tasks", took, queued)
	}
}

// At most Workers(n) abandoned tasks give their slot away at once (the cap in
// Pool's doc): past it, an abandoned task keeps its slot until it returns, so a
// flood of tasks that ignore their ctx cannot grow the pool without bound.
func TestAbandonedTasksGiveAwayAtMostWorkersSlots(t *testing.T) {
	p := newPool(t, Workers(1))
	release := make(chan struct{})
	free := sync.OnceFunc(func() { close(release) })
	defer free()
	var started atomic.Int64
	stuck := func(context.Context) (int, error) { started.Add(1); <-release; return 0, nil }
	first := Submit(context.Background(), p, stuck)
	eventually(t, "the first task running", func() bool { return started.Load() == 1 })
	first.Cancel() // detached: its slot goes to a fresh worker
	second := Submit(context.Background(), p, stuck)
	eventually(t, "the second task running in the freed slot", func() bool { return started.Load() == 2 })
	second.Cancel() // the cap of 1 is reached: this one keeps its slot
	third := Submit(context.Background(), p, stuck)
	time.Sleep(20 * time.Millisecond) // would be long enough to start it, were a slot free
	if n := started.Load(); n != 2 {
		t.Fatalf("%d tasks started; want 2: the second abandoned task must keep its slot", n)
	}
	awaitAbandoned(t, p, 2)
	if s := p.Stats(); s.Abandoned != 2 || s.Queued != 1 {
		t.Fatalf("Stats = %+v; want 2 abandoned, 1 queued", s)
	}
	free()
	within(t, "the third task once the stuck ones return", third.Done())
}

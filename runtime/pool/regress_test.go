package pool

// Regression tests from a cold concurrency review of the package: each failed on
// the code as reviewed (run with -count=20 to see a race-dependent one fail).

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Map's hot loop stages results a block at a time; when Map's ctx ends while one
// input of a large chunk ignores its ctx, finish must still keep every input of
// that chunk that already returned, but for those of the hanging input's block.
func TestMapKeepsFinishedResultsOfALargeChunkOnCancel(t *testing.T) {
	p := newPool(t, Workers(2))
	const n, stuck = 40_000, 30_000 // chunks reach chunkMax long before stuck; few enough for a loaded machine
	finished := make([]atomic.Bool, n)
	release := make(chan struct{})
	defer close(release)
	stuckNow := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		out []int
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := Map(ctx, p, ints(n), func(_ context.Context, x int) (int, error) {
			if x == stuck {
				close(stuckNow)
				<-release // ignores its ctx
			}
			finished[x].Store(true)
			return x + 1, nil
		})
		done <- result{out, err}
	}()
	within(t, "the stuck input", stuckNow)
	// Wait until the other loop has run every input it could claim: it has
	// returned, and its worker waits for work.
	eventually(t, "the other loop to run out of inputs", func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.idle == 1
	})
	snap := make([]bool, n)
	for i := range snap {
		snap[i] = finished[i].Load()
	}
	cancel()
	var r result
	select {
	case r = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Map did not return on cancel")
	}
	if !errors.Is(r.err, context.Canceled) {
		t.Fatalf("Map err = %v; want context.Canceled", r.err)
	}
	for i, fin := range snap {
		if fin && r.out[i] != i+1 && !inHangingBlock(i, stuck) {
			t.Fatalf("input %d had returned before the cancel but Map returned zero for it (the stuck input is %d)", i, stuck)
		}
	}
}

// The same when another input fails: the other loop, which is not stuck, has its
// block waited for.
func TestMapKeepsFinishedResultsOfALargeChunkOnFailFast(t *testing.T) {
	p := newPool(t, Workers(2))
	const n, stuck, bad = 40_000, 20_000, 38_000
	finished := make([]atomic.Bool, n)
	release := make(chan struct{})
	defer close(release)
	stuckNow := make(chan struct{})
	boom := errors.New("boom")
	out, err := Map(context.Background(), p, ints(n), func(_ context.Context, x int) (int, error) {
		switch x {
		case stuck:
			close(stuckNow)
			<-release // ignores its ctx
		case bad:
			select {
			case <-stuckNow:
			case <-time.After(5 * time.Second):
			}
			return 0, boom
		}
		finished[x].Store(true)
		return x + 1, nil
	})
	var te *TaskError
	if !errors.As(err, &te) || te.Index != bad {
		t.Fatalf("Map err = %v; want *TaskError for input %d", err, bad)
	}
	for i := range out {
		if finished[i].Load() && out[i] != i+1 && !inHangingBlock(i, stuck) {
			t.Fatalf("input %d had returned before Map did, yet Map returned zero for it (the stuck input is %d)", i, stuck)
		}
	}
}

// inHangingBlock reports whether input i may be lost by the one documented
// exception to "finished work is never thrown away": a fast input staged in the
// same block as the later input stuck, which hangs ignoring its ctx.
func inHangingBlock(i, stuck int) bool { return stuck-stageBlock < i && i < stuck }

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
			return p.idle == 1 && p.workers == 1
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
// cancel() starts the AfterFunc goroutine (stopWatch then reports false), but
// watchFired is only stored once that goroutine runs, so Close skips the wait.
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
// and exits, Close sees quiet (p.firing is still 0) and returns nil while fire has
// not run yet.
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

// a Stream whose ctx ends while the loop body runs can end as if
// complete, with no ctx error, and with a pulled input silently dropped: when the
// feeder returns on ctx.Done it closes fed, and the loop's select may take fed
// (yielded == total) instead of ctx.Done.
func TestStreamCancelAlwaysEndsWithCtxError(t *testing.T) {
	silent := 0
	for range 40 {
		p := New(context.Background(), Workers(2))
		ctx, cancel := context.WithCancel(context.Background())
		in := func(yield func(int) bool) {
			if !yield(0) {
				return
			}
			<-ctx.Done() // a slow source: the next input comes after the cancel
			for i := 1; i < 3; i++ {
				if !yield(i) {
					return
				}
			}
		}
		var gotCtxErr bool
		n := 0
		for _, err := range Stream(ctx, p, in, func(_ context.Context, x int) (int, error) { return x, nil }) {
			if err != nil {
				gotCtxErr = errors.Is(err, context.Canceled)
				continue
			}
			n++
			cancel()
			time.Sleep(5 * time.Millisecond) // the feeder sees the cancel meanwhile
		}
		cancel()
		closeQuiet(t, p)
		if !gotCtxErr && n != 3 {
			silent++
		}
	}
	if silent > 0 {
		t.Fatalf("%d of 40 times the Stream loop ended after its ctx was cancelled with neither the ctx error nor every input", silent)
	}
}

// the first chunk of every Map runner allocates chunkMax results, so a
// Map over 2 inputs of a 1 KiB type allocates 8 MiB.
func TestMapOfTwoInputsAllocatesLittle(t *testing.T) {
	p := newPool(t, Workers(2))
	type big [1024]byte
	fn := func(context.Context, int) (big, error) { return big{}, nil }
	Map(context.Background(), p, []int{1, 2}, fn) // warm up
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := Map(context.Background(), p, []int{1, 2}, fn); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 256<<10 {
		t.Fatalf("Map over 2 inputs of 1 KiB allocated %d bytes", got)
	}
}

// The doc of taskCtx says what context.Cause of a task ctx ended by Cancel is.
func TestTaskCtxCauseAfterCancelMatchesDoc(t *testing.T) {
	p := newPool(t, Workers(1))
	got := make(chan error, 1)
	f := Submit(context.Background(), p, func(ctx context.Context) (int, error) {
		<-ctx.Done()
		got <- context.Cause(ctx)
		return 0, nil
	})
	eventually(t, "task running", func() bool { return p.Stats().Running == 1 })
	f.Cancel()
	select {
	case cause := <-got:
		if cause != context.Canceled {
			t.Fatalf("context.Cause of a task ctx ended by Cancel = %v; the doc of taskCtx says its Err, context.Canceled", cause)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the task did not see its ctx end")
	}
}

// A panic in Map's Progress runs on a pool worker, where the caller of Map could
// not recover it: it must not kill the process. The test runs in a child process
// (see TestMain), because the failure it guards against is a crash.
const progressPanicEnv = "POOL_TEST_PROGRESS_PANIC_CHILD"

func TestProgressPanicDoesNotKillTheProcess(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), progressPanicEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the child with a panicking Progress failed: %v\n%s", err, firstLines(string(out), 12))
	}
	if !strings.Contains(string(out), "progress boom") {
		t.Fatalf("Map's error did not carry the Progress panic:\n%s", firstLines(string(out), 12))
	}
}

// progressPanicChild is the program TestProgressPanicDoesNotKillTheProcess runs:
// Map must return the panic as its error.
func progressPanicChild() {
	p := New(context.Background(), Workers(2))
	defer p.Close(context.Background())
	_, err := Map(context.Background(), p, ints(1000), func(_ context.Context, x int) (int, error) {
		time.Sleep(10 * time.Microsecond)
		return x, nil
	}, Progress(func(done, total int) {
		if done >= 10 && done < total {
			panic("progress boom")
		}
	}))
	var pe *PanicError
	if !errors.As(err, &pe) {
		fmt.Println("Map returned", err)
		os.Exit(1)
	}
	fmt.Println("Map returned the panic:", pe.Value)
	os.Exit(0)
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
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

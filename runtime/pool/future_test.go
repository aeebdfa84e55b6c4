package pool

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestSubmitGetReturnsValue(t *testing.T) {
	p := newPool(t, Workers(2))
	f := Submit(context.Background(), p, func(context.Context) (int, error) { return 42, nil })
	v, err := f.Get(context.Background())
	if v != 42 || err != nil {
		t.Fatalf("Get = %v, %v; want 42, nil", v, err)
	}
	if v, err := f.GetWithin(time.Second); v != 42 || err != nil {
		t.Fatalf("second Get = %v, %v; want 42, nil", v, err)
	}
}

func TestGetReturnsWhenTaskIgnoresCtx(t *testing.T) {
	p := newPool(t, Workers(1))
	release := make(chan struct{})
	defer close(release)
	f := Submit(context.Background(), p, hang(release, 1))
	ctx, cancel := context.WithCancel(context.Background())
	returned := make(chan struct{})
	go func() {
		defer close(returned)
		if _, err := f.Get(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Get = %v; want context.Canceled", err)
		}
	}()
	cancel()
	within(t, "Get", returned)
	if _, err := f.GetWithin(time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("GetWithin = %v; want context.DeadlineExceeded", err)
	}
}

func TestCancelAbandonsTaskIgnoringCtxAndKeepsCapacity(t *testing.T) {
	p := newPool(t, Workers(1))
	release := make(chan struct{})
	defer close(release)
	stuck := Submit(context.Background(), p, hang(release, 1))
	eventually(t, "task running", func() bool { return p.Stats().Running == 1 })
	stuck.Cancel()
	within(t, "resolution of the cancelled task", stuck.Done())
	if v, err := stuck.Get(context.Background()); v != 0 || !errors.Is(err, context.Canceled) {
		t.Fatalf("Get = %v, %v; want 0, context.Canceled", v, err)
	}
	// The only worker is stuck, yet a new task runs: its slot was given away.
	next := Submit(context.Background(), p, func(context.Context) (int, error) { return 2, nil })
	within(t, "a task after the abandoned one", next.Done())
	if v, _ := next.Get(context.Background()); v != 2 {
		t.Fatalf("next = %v; want 2", v)
	}
	awaitAbandoned(t, p, 1)
	if s := p.Stats(); s.Abandoned != 1 || s.Canceled != 1 || s.Done != 1 || s.Running != 0 {
		t.Fatalf("Stats = %+v; want 1 abandoned, 1 canceled, 1 done", s)
	}
}

func TestCancelledQueuedTaskNeverStarts(t *testing.T) {
	p := newPool(t, Workers(1))
	release := make(chan struct{})
	busy := Submit(context.Background(), p, hang(release, 0))
	var started atomic.Bool
	queued := Submit(context.Background(), p, func(context.Context) (int, error) {
		started.Store(true)
		return 1, nil
	})
	queued.Cancel()
	close(release)
	busy.Get(context.Background())
	closeQuiet(t, p)
	if started.Load() {
		t.Fatal("a cancelled queued task started")
	}
	if _, err := queued.Get(context.Background()); !errors.Is(err, context.Canceled) {
		t.Fatalf("Get = %v; want context.Canceled", err)
	}
}

func TestSubmitCtxCancelCarriesCause(t *testing.T) {
	p := newPool(t, Workers(1))
	release := make(chan struct{})
	defer close(release)
	Submit(context.Background(), p, hang(release, 0))
	cause := errors.New("user gave up")
	ctx, cancel := context.WithCancelCause(context.Background())
	f := Submit(ctx, p, func(context.Context) (int, error) { return 1, nil })
	cancel(cause)
	within(t, "resolution on Submit ctx cancel", f.Done())
	_, err := f.Get(context.Background())
	if !errors.Is(err, context.Canceled) || !errors.Is(err, cause) {
		t.Fatalf("err = %v; want context.Canceled with cause %v", err, cause)
	}
}

func TestRunningTaskCtxIsCancelled(t *testing.T) {
	p := newPool(t, Workers(1))
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	sawCancel := make(chan error, 1)
	f := Submit(ctx, p, func(ctx context.Context) (int, error) {
		close(started)
		<-ctx.Done()
		sawCancel <- ctx.Err()
		return 0, ctx.Err()
	})
	<-started
	cancel()
	within(t, "Future", f.Done())
	select {
	case err := <-sawCancel:
		if err != context.Canceled {
			t.Fatalf("task ctx.Err() = %v; want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the running task's ctx was not cancelled")
	}
}

func TestPanicBecomesPanicErrorAndWorkerSurvives(t *testing.T) {
	p := newPool(t, Workers(1))
	f := Submit(context.Background(), p, func(context.Context) (int, error) { panic("boom") })
	_, err := f.Get(context.Background())
	var pe *PanicError
	if !errors.As(err, &pe) || pe.Value != "boom" || !strings.Contains(string(pe.Stack), "future_test.go") {
		t.Fatalf("err = %v; want *PanicError with value boom and a stack", err)
	}
	g := Submit(context.Background(), p, func(context.Context) (int, error) { return 7, nil })
	if v, err := g.Get(context.Background()); v != 7 || err != nil {
		t.Fatalf("after a panic: %v, %v; want 7, nil", v, err)
	}
	if s := p.Stats(); s.Failed != 1 || s.Done != 1 {
		t.Fatalf("Stats = %+v; want 1 failed, 1 done", s)
	}
}

func TestTaskTimeoutFailsTaskIgnoringCtx(t *testing.T) {
	p := newPool(t, Workers(1), TaskTimeout(10*time.Millisecond))
	release := make(chan struct{})
	defer close(release)
	deadlineSet := make(chan bool, 1)
	f := Submit(context.Background(), p, func(ctx context.Context) (int, error) {
		_, ok := ctx.Deadline()
		deadlineSet <- ok
		<-release
		return 1, nil
	})
	within(t, "timeout", f.Done())
	if _, err := f.Get(context.Background()); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v; want context.DeadlineExceeded", err)
	}
	if !<-deadlineSet {
		t.Error("the task's ctx had no deadline")
	}
	awaitAbandoned(t, p, 1)
	if s := p.Stats(); s.Failed != 1 || s.Abandoned != 1 {
		t.Fatalf("Stats = %+v; want 1 failed and abandoned", s)
	}
}

func TestSubmitOnFullQueueWaitsOnCtx(t *testing.T) {
	p := newPool(t, Workers(1), QueueSize(1))
	release := make(chan struct{})
	defer close(release)
	Submit(context.Background(), p, hang(release, 0))
	eventually(t, "task running", func() bool { return p.Stats().Running == 1 })
	Submit(context.Background(), p, hang(release, 0)) // fills the queue
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	f := Submit(ctx, p, hang(release, 0)) // waits for room until ctx ends
	select {
	case <-f.Done():
	default:
		t.Fatal("Submit returned before its ctx ended")
	}
	if _, err := f.Get(context.Background()); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v; want context.DeadlineExceeded", err)
	}
	if s := p.Stats(); s.Queued != 1 || s.Canceled != 1 {
		t.Fatalf("Stats = %+v; want 1 queued, 1 canceled", s)
	}
}

func TestSubmitAfterCloseIsErrClosed(t *testing.T) {
	p := New(context.Background())
	closeQuiet(t, p)
	f := Submit(context.Background(), p, func(context.Context) (int, error) { return 1, nil })
	if _, err := f.Get(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("err = %v; want ErrClosed", err)
	}
	if s := p.Stats(); s.Canceled != 1 {
		t.Fatalf("Stats = %+v; want 1 canceled", s)
	}
}

func TestPoolCtxCancelDropsQueuedAndCancelsRunning(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	p := New(ctx, Workers(1))
	release := make(chan struct{})
	running := Submit(context.Background(), p, hang(release, 0))
	eventually(t, "task running", func() bool { return p.Stats().Running == 1 })
	var started atomic.Bool
	queued := Submit(context.Background(), p, func(context.Context) (int, error) { started.Store(true); return 0, nil })
	cancel(ErrInterrupted)
	within(t, "running task", running.Done())
	within(t, "queued task", queued.Done())
	for _, f := range []*Future[int]{running, queued} {
		if _, err := f.Get(context.Background()); !errors.Is(err, context.Canceled) || !errors.Is(err, ErrInterrupted) {
			t.Errorf("err = %v; want context.Canceled with cause ErrInterrupted", err)
		}
	}
	late := Submit(context.Background(), p, func(context.Context) (int, error) { return 0, nil })
	if _, err := late.Get(context.Background()); !errors.Is(err, ErrInterrupted) {
		t.Errorf("Submit after the pool's ctx ended: %v; want ErrInterrupted", err)
	}
	awaitAbandoned(t, p, 1) // before it returns: it ignored its ctx that long
	close(release)
	closeQuiet(t, p)
	if started.Load() {
		t.Error("a queued task started after the pool's ctx ended")
	}
	if s := p.Stats(); s.Canceled != 3 || s.Abandoned != 1 || s.Queued != 0 || s.Running != 0 {
		t.Fatalf("Stats = %+v; want 3 canceled, 1 abandoned", s)
	}
}

func TestCloseDrainsQueuedWork(t *testing.T) {
	p := New(context.Background(), Workers(2))
	var ran atomic.Int64
	for range 100 {
		Submit(context.Background(), p, func(context.Context) (int, error) {
			time.Sleep(100 * time.Microsecond)
			ran.Add(1)
			return 0, nil
		})
	}
	closeQuiet(t, p)
	if ran.Load() != 100 {
		t.Fatalf("ran %d tasks before Close returned; want 100", ran.Load())
	}
	if s := p.Stats(); s.Done != 100 {
		t.Fatalf("Stats = %+v; want 100 done", s)
	}
}

func TestCloseGivesUpWhenCtxEnds(t *testing.T) {
	p := New(context.Background(), Workers(1))
	release := make(chan struct{})
	stuck := Submit(context.Background(), p, hang(release, 0))
	eventually(t, "task running", func() bool { return p.Stats().Running == 1 })
	queued := Submit(context.Background(), p, hang(release, 0))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	err := p.Close(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "(1 task abandoned still running)") {
		t.Fatalf("Close = %v; want DeadlineExceeded saying 1 task abandoned", err)
	}
	for _, f := range []*Future[int]{stuck, queued} {
		if _, err := f.Get(context.Background()); !errors.Is(err, context.Canceled) || !errors.Is(err, errCloseGaveUp) || errors.Is(err, ErrClosed) {
			t.Errorf("err = %v; want context.Canceled with cause errCloseGaveUp, not ErrClosed (only for work given after Close)", err)
		}
	}
	close(release)
	closeQuiet(t, p)
}

func TestTaskCtxCarriesValuesAndEndsAfterReturn(t *testing.T) {
	p := newPool(t, Workers(1))
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "v")
	var leaked context.Context
	f := Submit(ctx, p, func(ctx context.Context) (any, error) {
		leaked = ctx
		return ctx.Value(key{}), ctx.Err()
	})
	if v, err := f.Get(context.Background()); v != "v" || err != nil {
		t.Fatalf("Get = %v, %v; want v, nil", v, err)
	}
	if leaked.Err() != context.Canceled {
		t.Fatalf("a task's ctx after it returned: Err = %v; want context.Canceled", leaked.Err())
	}
	within(t, "Done of a leaked task ctx", leaked.Done())
}

func TestCancellingAShareCtxOfManyQueuedTasksTakesOneGoroutine(t *testing.T) {
	p := newPool(t, Workers(1))
	release := make(chan struct{})
	defer close(release)
	Submit(context.Background(), p, hang(release, 0))
	ctx, cancel := context.WithCancel(context.Background())
	futures := make([]*Future[int], 100_000)
	for i := range futures {
		futures[i] = Submit(ctx, p, func(context.Context) (int, error) { return 1, nil })
	}
	before := runtime.NumGoroutine()
	cancel()
	peak := 0
	for _, f := range futures {
		peak = max(peak, runtime.NumGoroutine())
		within(t, "a queued task's resolution", f.Done())
	}
	if peak > before+10 {
		t.Fatalf("cancelling 100000 queued tasks ran %d goroutines at once; want a handful", peak-before)
	}
	if s := p.Stats(); s.Canceled != 100_000 || s.Queued != 0 {
		t.Fatalf("Stats = %+v; want 100000 canceled, none queued", s)
	}
}

func TestGoexitInATaskResolvesItAndKeepsTheWorker(t *testing.T) {
	p := newPool(t, Workers(1))
	f := Submit(context.Background(), p, func(context.Context) (int, error) {
		runtime.Goexit() // what t.FailNow does inside a task
		return 1, nil
	})
	within(t, "a task that called Goexit", f.Done())
	if _, err := f.Get(context.Background()); !errors.Is(err, errGoexit) {
		t.Fatalf("err = %v; want errGoexit", err)
	}
	g := Submit(context.Background(), p, func(context.Context) (int, error) { return 2, nil })
	if v, err := g.Get(context.Background()); v != 2 || err != nil {
		t.Fatalf("after a Goexit: %v, %v; want 2, nil", v, err)
	}
	if _, err := Map(context.Background(), p, ints(10), func(_ context.Context, x int) (int, error) {
		if x == 5 {
			runtime.Goexit()
		}
		return x, nil
	}); !errors.Is(err, errGoexit) {
		t.Fatalf("Map with a Goexit: %v; want errGoexit", err)
	}
	if s := p.Stats(); s.Failed < 1 || s.Done < 1 {
		t.Fatalf("Stats = %+v", s)
	}
}

func TestSubmitWithinAndTimeoutOverrideTaskTimeout(t *testing.T) {
	p := newPool(t, Workers(2), TaskTimeout(time.Hour))
	release := make(chan struct{})
	free := sync.OnceFunc(func() { close(release) })
	defer free()
	stuck := func(ctx context.Context, x int) (int, error) { <-release; return x, nil }
	f := SubmitWithin(context.Background(), p, 10*time.Millisecond, func(ctx context.Context) (int, error) { return stuck(ctx, 1) })
	within(t, "SubmitWithin's deadline", f.Done())
	if _, err := f.Get(context.Background()); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("SubmitWithin: err = %v; want DeadlineExceeded", err)
	}
	done := make(chan error, 2)
	go func() {
		_, err := Map(context.Background(), p, []int{1}, stuck, Timeout(10*time.Millisecond))
		done <- err
	}()
	go func() {
		for _, err := range Stream(context.Background(), p, slices.Values([]int{1}), stuck, Timeout(10*time.Millisecond)) {
			done <- err
		}
	}()
	for range 2 {
		select {
		case err := <-done:
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v; want DeadlineExceeded", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Timeout did not free the waiter")
		}
	}
	awaitAbandoned(t, p, 3)
	free()
	closeQuiet(t, p)
	if s := p.Stats(); s.Failed != 3 || s.Abandoned != 3 {
		t.Fatalf("Stats = %+v; want 3 failed and abandoned", s)
	}
}

package pool

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The queue takes pushes without Pool.mu: these tests aim at the races that
// opens, between a push and a worker going idle, a push and Close, and a
// push and Stats.

// A worker that finds the queue empty goes idle while submitters push one
// task at a time: each task must still run, or its Get would wait for the
// bound (a lost wakeup).
func TestPushWhileWorkersGoIdleLosesNoWakeup(t *testing.T) {
	for _, workers := range []int{1, 2, 4} {
		p := New(context.Background(), Workers(workers))
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				for i := range 2000 {
					f := Submit(context.Background(), p, func(context.Context) (int, error) { return g*10000 + i, nil })
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					v, err := f.Get(ctx)
					cancel()
					if err != nil || v != g*10000+i {
						t.Errorf("workers %d: task %d/%d: Get = %v, %v", workers, g, i, v, err)
						return
					}
				}
			})
		}
		wg.Wait()
		if s := p.Stats(); s.Done != 8000 || s.Queued != 0 || s.Running != 0 {
			t.Errorf("workers %d: Stats = %+v; want Done 8000, nothing queued or running", workers, s)
		}
		closeQuiet(t, p)
	}
}

// Tasks queued in bursts longer than a chunk of the queue all run, in order
// on one worker.
func TestQueueKeepsOrderAcrossChunks(t *testing.T) {
	p := newPool(t, Workers(1))
	started, release := make(chan struct{}), make(chan struct{})
	block := Submit(context.Background(), p, func(context.Context) (int, error) {
		close(started)
		<-release
		return 0, nil
	})
	<-started
	n := 5*chunkSize + 3
	var mu sync.Mutex
	var order []int
	fs := make([]*Future[int], n)
	for i := range n {
		fs[i] = Submit(context.Background(), p, func(context.Context) (int, error) {
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
			return i, nil
		})
	}
	if s := p.Stats(); s.Queued != n {
		t.Errorf("Stats().Queued = %d with %d tasks behind a running one; want %d", s.Queued, n, n)
	}
	close(release)
	for _, f := range append(fs, block) {
		if _, err := f.GetWithin(10 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	for i, v := range order {
		if v != i {
			t.Fatalf("task %d ran %dth; want FIFO order", v, i)
		}
	}
}

// Stats read while submitters push and workers pop never counts a negative
// queue, nor more tasks than were submitted.
func TestStatsDuringPushesStayInRange(t *testing.T) {
	p := newPool(t, Workers(2))
	const submitters, each = 4, 3000
	stop := make(chan struct{})
	var reader sync.WaitGroup
	reader.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			s := p.Stats()
			if s.Queued < 0 || s.Running < 0 || s.Queued+s.Running+s.Done > submitters*each {
				t.Errorf("Stats = %+v: out of range", s)
				return
			}
		}
	})
	var wg sync.WaitGroup
	for range submitters {
		wg.Go(func() {
			fs := make([]*Future[int], each)
			for i := range fs {
				fs[i] = Submit(context.Background(), p, func(context.Context) (int, error) { return i, nil })
			}
			for _, f := range fs {
				if _, err := f.GetWithin(10 * time.Second); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	reader.Wait()
	if s := p.Stats(); s.Done != submitters*each || s.Queued != 0 {
		t.Errorf("Stats = %+v; want Done %d, none queued", s, submitters*each)
	}
}

// A task pushed while Close runs either runs before Close returns nil or is
// refused with ErrClosed: none is left queued with no worker.
func TestPushRacingCloseRunsOrRefuses(t *testing.T) {
	for range 200 {
		p := New(context.Background(), Workers(2))
		fs := make(chan *Future[int], 64)
		go func() {
			defer close(fs)
			for i := range 64 {
				fs <- Submit(context.Background(), p, func(context.Context) (int, error) { return i, nil })
			}
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := p.Close(ctx); err != nil {
			t.Fatalf("Close: %v", err)
		}
		cancel()
		for f := range fs {
			// Queued before Close, it ran before Close returned; submitted
			// after, Submit resolved it with ErrClosed before returning.
			select {
			case <-f.Done():
			default:
				t.Fatal("a task submitted around Close is still unresolved after Close returned nil")
			}
			if _, err := f.Get(context.Background()); err != nil && !errors.Is(err, ErrClosed) {
				t.Fatalf("a task submitted around Close: Get = %v; want a result or ErrClosed", err)
			}
		}
	}
}

// Work given after Close resolves with ErrClosed, even when the pool's ctx
// ended first and the queue already refused with its error.
func TestSubmitAfterStopThenCloseIsErrClosed(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p := New(ctx, Workers(2))
	cancel()
	<-p.watchDone // shutdown has run: the queue refuses with the pool's error
	closeQuiet(t, p)
	_, err := Submit(context.Background(), p, func(context.Context) (int, error) { return 0, nil }).GetWithin(10 * time.Second)
	if !errors.Is(err, ErrClosed) {
		t.Fatalf("Submit after Close on a stopped pool: %v; want ErrClosed", err)
	}
}

// After Resize(1), a Map's loops beyond the one worker hand their inputs
// back even while Close drains the pool: no more than one input runs at
// once.
func TestResizeThenCloseKeepsTheBound(t *testing.T) {
	p := New(context.Background(), Workers(4))
	release := make(chan struct{})
	var firstWave atomic.Int64
	g := &gauge{t: t} // counts the inputs after the first wave
	g.limit.Store(1)
	done := make(chan error, 1)
	go func() {
		_, err := Map(context.Background(), p, make([]int, 400), func(_ context.Context, _ int) (int, error) {
			if firstWave.Add(1) <= 4 {
				<-release
				return 0, nil
			}
			g.enter() // fails the test when another input runs
			defer g.leave()
			time.Sleep(100 * time.Microsecond) // work: long enough for loops to overlap
			return 0, nil
		})
		done <- err
	}()
	eventually(t, "4 inputs running", func() bool { return firstWave.Load() >= 4 })
	p.Resize(1)
	closed := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		closed <- p.Close(ctx)
	}()
	eventually(t, "Close called", func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.closing
	})
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
}

// onceRunner is a runner that records that it ran.
type onceRunner struct{ ran chan struct{} }

func (r *onceRunner) start(*worker, uint64) bool { return true }
func (r *onceRunner) run() (*task, error)        { close(r.ran); return nil, nil }
func (r *onceRunner) stop(error)                 {}
func (r *onceRunner) fail(error)                 {}

// A push's wake that comes after a worker took its runner and Close returned
// nil starts no worker: nothing of the pool runs after Close. The test runs
// push's two halves, queueing and waking, with Close between them.
func TestLatePushWakeStartsNoWorkerAfterClose(t *testing.T) {
	p := New(context.Background(), Workers(2))
	if _, err := Submit(context.Background(), p, func(context.Context) (int, error) { return 0, nil }).GetWithin(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	eventually(t, "one idle worker", func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.idle.Load() == 1 && p.workers == 1
	})
	r := &onceRunner{ran: make(chan struct{})}
	if ok, err := p.queue.push(r, nil); !ok {
		t.Fatal(err)
	}
	if !(p.idle.Load() > 0 || p.short.Load()) {
		t.Fatal("push would not wake anyone: the test no longer matches push")
	}
	closeQuiet(t, p)
	<-r.ran
	p.mu.Lock()
	p.wakeOne()
	live := len(p.live)
	p.mu.Unlock()
	if live != 0 {
		t.Errorf("after Close returned nil, a late push started %d worker goroutine(s)", live)
	}
}

package pool

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

func square(_ context.Context, x int) (int, error) { return x * x, nil }

func ints(n int) []int {
	in := make([]int, n)
	for i := range in {
		in[i] = i
	}
	return in
}

func TestMapReturnsResultsInInputOrder(t *testing.T) {
	p := newPool(t, Workers(3))
	for _, n := range []int{1, 7, 1000, 100_000} {
		out, err := Map(context.Background(), p, ints(n), square)
		if err != nil || len(out) != n {
			t.Fatalf("n=%d: len %d, err %v", n, len(out), err)
		}
		for i, v := range out {
			if v != i*i {
				t.Fatalf("n=%d: out[%d] = %d; want %d", n, i, v, i*i)
			}
		}
	}
	if s := p.Stats(); s.Done != 101_008 {
		t.Fatalf("Stats = %+v; want 101008 done", s)
	}
}

func TestMapEmptyInputReturnsAtOnce(t *testing.T) {
	p := newPool(t)
	out, err := Map(context.Background(), p, nil, square)
	if len(out) != 0 || err != nil {
		t.Fatalf("Map(nil) = %v, %v", out, err)
	}
}

func TestMapFailsFastNamingTheIndexAndKeepsFinished(t *testing.T) {
	p := newPool(t, Workers(2))
	boom := errors.New("boom")
	var after atomic.Int64
	out, err := Map(context.Background(), p, ints(10_000), func(ctx context.Context, x int) (int, error) {
		switch {
		case x == 100:
			return 0, boom
		case x > 100 && ctx.Err() != nil:
			after.Add(1)
			return 0, ctx.Err()
		}
		return x + 1, nil
	})
	var te *TaskError
	if !errors.As(err, &te) || te.Index != 100 || !errors.Is(err, boom) {
		t.Fatalf("err = %v; want *TaskError at index 100 wrapping boom", err)
	}
	if len(out) != 10_000 {
		t.Fatalf("len(out) = %d; want 10000", len(out))
	}
	finished := 0
	for i, v := range out {
		if v != 0 {
			finished++
			if v != i+1 {
				t.Fatalf("out[%d] = %d; want %d", i, v, i+1)
			}
		}
	}
	if finished == 0 {
		t.Fatal("no result kept")
	}
	closeQuiet(t, p)
	s := p.Stats()
	if s.Done != finished || s.Failed != 1 || s.Done+s.Failed+s.Canceled != 10_000 {
		t.Fatalf("Stats = %+v; want %d done, 1 failed, the rest canceled", s, finished)
	}
}

func TestMapCollectErrorsRunsEverything(t *testing.T) {
	p := newPool(t, Workers(2))
	out, err := Map(context.Background(), p, ints(1000), func(_ context.Context, x int) (int, error) {
		if x%100 == 3 {
			return 0, errors.New("bad")
		}
		if x == 507 {
			panic("oops")
		}
		return x, nil
	}, CollectErrors())
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("err = %v; want errors.Join of *TaskError", err)
	}
	var idx []int
	for _, e := range joined.Unwrap() {
		idx = append(idx, e.(*TaskError).Index)
	}
	want := []int{3, 103, 203, 303, 403, 503, 507, 603, 703, 803, 903}
	if len(idx) != len(want) {
		t.Fatalf("failed indexes %v; want %v", idx, want)
	}
	for i := range want {
		if idx[i] != want[i] {
			t.Fatalf("failed indexes %v; want %v", idx, want)
		}
	}
	var pe *PanicError
	if !errors.As(err, &pe) || pe.Value != "oops" {
		t.Fatalf("err = %v; want a *PanicError among them", err)
	}
	if out[999] != 999 || out[508] != 508 {
		t.Fatalf("results after failures lost: out[508]=%d out[999]=%d", out[508], out[999])
	}
}

func TestMapReturnsOnCancelWhileFnIgnoresCtx(t *testing.T) {
	p := newPool(t, Workers(2))
	release := make(chan struct{})
	defer close(release)
	ctx, cancel := context.WithCancelCause(context.Background())
	var stuck atomic.Int64
	type result struct {
		out []int
		err error
	}
	res := make(chan result)
	go func() {
		out, err := Map(ctx, p, ints(1000), func(_ context.Context, x int) (int, error) {
			if x >= 10 {
				stuck.Add(1)
				<-release // ignores its ctx
			}
			// Each input takes over stageEachAbove, so that its result is
			// staged before the loop calls fn again: not one of a block of
			// fast inputs, whose results may be lost (see Map's doc).
			for start := time.Now(); time.Since(start) < 2*stageEachAbove; {
			}
			return x + 1, nil
		})
		res <- result{out, err}
	}()
	// Both loops inside fn on inputs from 10 on: inputs are claimed in order,
	// so each of 0..9 has finished and its result is staged or published.
	eventually(t, "both loops stuck", func() bool { return stuck.Load() == 2 })
	cancel(ErrInterrupted)
	var r result
	select {
	case r = <-res:
	case <-time.After(5 * time.Second):
		t.Fatal("Map did not return after cancel")
	}
	if !errors.Is(r.err, context.Canceled) || !errors.Is(r.err, ErrInterrupted) {
		t.Fatalf("err = %v; want context.Canceled with cause ErrInterrupted", r.err)
	}
	for i := range 10 {
		if r.out[i] != i+1 {
			t.Fatalf("finished result out[%d] = %d thrown away; want %d", i, r.out[i], i+1)
		}
	}
	awaitAbandoned(t, p, 2) // the 2 stuck loops
	// The pool keeps its capacity while those two are stuck.
	out, err := Map(context.Background(), p, ints(100), square)
	if err != nil || out[99] != 99*99 {
		t.Fatalf("Map after abandonment: %v", err)
	}
}

func TestMapProgressIsSerialAndEndsAtTotal(t *testing.T) {
	p := newPool(t, Workers(4))
	var inside atomic.Bool
	var calls, last atomic.Int64
	_, err := Map(context.Background(), p, ints(50_000), square, Progress(func(done, total int) {
		if inside.Swap(true) {
			t.Error("Progress called concurrently with itself")
		}
		if total != 50_000 || int64(done) < last.Load() {
			t.Errorf("Progress(%d, %d) after %d", done, total, last.Load())
		}
		last.Store(int64(done))
		calls.Add(1)
		inside.Store(false)
	}))
	if err != nil {
		t.Fatal(err)
	}
	// Counts coalesce while a call runs: a quick Map may make one call only.
	if last.Load() != 50_000 || calls.Load() < 1 {
		t.Fatalf("last Progress done = %d after %d calls; want 50000", last.Load(), calls.Load())
	}
}

func TestMapOnClosedPoolIsErrClosed(t *testing.T) {
	p := New(context.Background())
	closeQuiet(t, p)
	out, err := Map(context.Background(), p, ints(10), square)
	if !errors.Is(err, ErrClosed) || len(out) != 10 {
		t.Fatalf("Map = %d results, %v; want 10 zero results and ErrClosed", len(out), err)
	}
}

func TestMapPoolCtxCancelEndsMap(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	p := New(ctx, Workers(2))
	started := make(chan struct{}, 1000)
	res := make(chan error)
	go func() {
		_, err := Map(context.Background(), p, ints(1000), func(ctx context.Context, x int) (int, error) {
			started <- struct{}{}
			<-ctx.Done()
			return 0, ctx.Err()
		})
		res <- err
	}()
	<-started
	cancel(ErrInterrupted)
	select {
	case err := <-res:
		if !errors.Is(err, ErrInterrupted) {
			t.Fatalf("err = %v; want cause ErrInterrupted", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Map did not return when the pool's ctx ended")
	}
	closeQuiet(t, p)
}

func TestMapDoesNotWaitForRoomInABoundedQueue(t *testing.T) {
	p := newPool(t, Workers(2), QueueSize(1))
	release := make(chan struct{})
	Submit(context.Background(), p, hang(release, 0))
	Submit(context.Background(), p, hang(release, 0))
	eventually(t, "both workers busy", func() bool { return p.Stats().Running == 2 })
	Submit(context.Background(), p, hang(release, 0)) // the queue is full
	done := make(chan struct{})
	go func() {
		defer close(done)
		if out, err := Map(context.Background(), p, ints(100), square); err != nil || out[99] != 99*99 {
			t.Errorf("Map = %v", err)
		}
	}()
	close(release)
	within(t, "Map behind a full queue", done)
}

func TestMapTaskTimeoutFailsAnInputThatIgnoresItsCtx(t *testing.T) {
	// Long enough that no input that returns at once times out on a loaded machine.
	p := newPool(t, Workers(2), TaskTimeout(200*time.Millisecond))
	release := make(chan struct{})
	defer close(release)
	done := make(chan struct{})
	var out []int
	var err error
	go func() {
		defer close(done)
		out, err = Map(context.Background(), p, ints(50), func(_ context.Context, x int) (int, error) {
			if x == 7 || x == 30 {
				<-release // ignores its ctx and its deadline
			}
			return x + 1, nil
		}, CollectErrors())
	}()
	within(t, "Map with inputs past TaskTimeout", done)
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok || len(joined.Unwrap()) != 2 {
		t.Fatalf("err = %v; want the two inputs that timed out", err)
	}
	for k, e := range joined.Unwrap() {
		var te *TaskError
		if !errors.As(e, &te) || te.Index != []int{7, 30}[k] || !errors.Is(e, context.DeadlineExceeded) {
			t.Fatalf("error %d = %v; want DeadlineExceeded for input %d", k, e, []int{7, 30}[k])
		}
	}
	for i, v := range out {
		if i != 7 && i != 30 && v != i+1 {
			t.Fatalf("out[%d] = %d; want %d: every other input runs", i, v, i+1)
		}
	}
	awaitAbandoned(t, p, 2)
	if s := p.Stats(); s.Failed != 2 || s.Done != 48 || s.Abandoned != 2 {
		t.Fatalf("Stats = %+v; want 48 done, 2 failed and abandoned", s)
	}
}

func TestMapTaskTimeoutFailsFast(t *testing.T) {
	// One loop: the input that hangs is the only one running when its deadline
	// passes, so that no other input can time out first on a loaded machine.
	p := newPool(t, Workers(1), TaskTimeout(20*time.Millisecond))
	release := make(chan struct{})
	defer close(release)
	var ran atomic.Int64
	done := make(chan struct{})
	var err error
	go func() {
		defer close(done)
		_, err = Map(context.Background(), p, ints(1000), func(ctx context.Context, x int) (int, error) {
			ran.Add(1)
			if x == 0 {
				<-release // ignores its ctx and its deadline
			}
			return x, nil
		})
	}()
	within(t, "Map whose input ran past TaskTimeout", done)
	var te *TaskError
	if !errors.As(err, &te) || te.Index != 0 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v; want DeadlineExceeded for input 0", err)
	}
	if n, s := ran.Load(), p.Stats(); n != 1 || s.Failed != 1 || s.Canceled != 999 {
		t.Fatalf("%d inputs ran, Stats = %+v; want 1 failed, the rest cancelled without running", n, s)
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

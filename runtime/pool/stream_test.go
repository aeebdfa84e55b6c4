package pool

import (
	"context"
	"errors"
	"iter"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// count yields 0..n-1.
func count(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}

func TestStreamYieldsInInputOrder(t *testing.T) {
	p := newPool(t, Workers(4))
	next := 0
	for v, err := range Stream(context.Background(), p, count(10_000), func(_ context.Context, x int) (int, error) {
		if x%7 == 0 {
			time.Sleep(10 * time.Microsecond) // finish out of order
		}
		return x * 2, nil
	}) {
		if err != nil || v != next*2 {
			t.Fatalf("item %d: %v, %v; want %d", next, v, err, next*2)
		}
		next++
	}
	if next != 10_000 {
		t.Fatalf("yielded %d; want 10000", next)
	}
}

func TestStreamUnorderedYieldsInCompletionOrder(t *testing.T) {
	p := newPool(t, Workers(4))
	// In input order, the loop would wait for input 0, which waits for 1: ctx
	// bounds that deadlock.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	yielded := make([]chan struct{}, 4)
	for i := range yielded {
		yielded[i] = make(chan struct{})
	}
	var got []int
	for v, err := range Stream(ctx, p, count(4), func(ctx context.Context, x int) (int, error) {
		if x < 3 { // finishes once the next input is yielded: the last finishes first
			select {
			case <-yielded[x+1]:
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}
		return x, nil
	}, Unordered()) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
		close(yielded[v])
	}
	if !slices.Equal(got, []int{3, 2, 1, 0}) {
		t.Fatalf("got %v; want [3 2 1 0]", got)
	}
}

func TestStreamErrorsNameTheInputAndGoOn(t *testing.T) {
	p := newPool(t, Workers(2))
	var failed []int
	n := 0
	for _, err := range Stream(context.Background(), p, count(100), func(_ context.Context, x int) (int, error) {
		if x%10 == 5 {
			panic("five")
		}
		return x, nil
	}) {
		n++
		var te *TaskError
		var pe *PanicError
		if errors.As(err, &te) && errors.As(err, &pe) {
			failed = append(failed, te.Index)
		} else if err != nil {
			t.Fatalf("err = %v; want *TaskError with *PanicError", err)
		}
	}
	if n != 100 || len(failed) != 10 || failed[0] != 5 || failed[9] != 95 {
		t.Fatalf("%d yielded, failed at %v", n, failed)
	}
}

func TestStreamBreakCancelsTheRest(t *testing.T) {
	p := newPool(t, Workers(2))
	var ran, cancelled atomic.Int64
	for v := range Stream(context.Background(), p, count(1_000_000), func(ctx context.Context, x int) (int, error) {
		ran.Add(1)
		if x >= 10 {
			<-ctx.Done()
			cancelled.Add(1)
			return 0, ctx.Err()
		}
		return x, nil
	}) {
		if v == 5 {
			break
		}
	}
	closeQuiet(t, p) // no goroutine left, and Close returns: the blocked fns were cancelled
	if ran.Load() > 100 {
		t.Fatalf("%d inputs ran after a break at the 6th", ran.Load())
	}
	if s := p.Stats(); s.Done+s.Failed != int(ran.Load()) || s.Done < 6 {
		t.Fatalf("Stats = %+v; want each of the %d inputs that ran counted once", s, ran.Load())
	}
}

func TestStreamMemoryIsBoundedByTheWindow(t *testing.T) {
	const workers = 3
	p := newPool(t, Workers(workers))
	var pulled, yielded, maxAhead atomic.Int64
	in := func(yield func(int) bool) {
		for i := range 1_000_000 {
			ahead := pulled.Add(1) - yielded.Load()
			if ahead > maxAhead.Load() {
				maxAhead.Store(ahead)
			}
			if !yield(i) {
				return
			}
		}
	}
	for range Stream(context.Background(), p, in, square) {
		yielded.Add(1)
	}
	if yielded.Load() != 1_000_000 {
		t.Fatalf("yielded %d; want 1000000", yielded.Load())
	}
	// The window is streamWindow inputs per worker, plus the one the feeder
	// holds.
	if limit := int64(streamWindow*workers + 1); maxAhead.Load() > limit {
		t.Fatalf("%d inputs pulled and not yet yielded; want at most %d", maxAhead.Load(), limit)
	}
}

func TestStreamCtxCancelEndsTheLoopWithCtxError(t *testing.T) {
	p := newPool(t, Workers(2))
	release := make(chan struct{})
	defer close(release)
	ctx, cancel := context.WithCancelCause(context.Background())
	var last error
	n := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, err := range Stream(ctx, p, count(100), func(_ context.Context, x int) (int, error) {
			if x >= 3 {
				<-release // ignores its ctx
			}
			return x, nil
		}) {
			n++
			last = err
			if n == 3 {
				cancel(ErrInterrupted)
			}
		}
	}()
	within(t, "the Stream loop after cancel", done)
	if n != 4 || !errors.Is(last, context.Canceled) || !errors.Is(last, ErrInterrupted) {
		t.Fatalf("%d pairs, last err %v; want 3 results then the ctx error", n, last)
	}
}

func TestStreamProgressLearnsTheTotal(t *testing.T) {
	p := newPool(t, Workers(2))
	var calls [][2]int
	for range Stream(context.Background(), p, count(50), square, Progress(func(done, total int) {
		calls = append(calls, [2]int{done, total})
	})) {
	}
	// Counts given while a call runs coalesce: there may be fewer calls than
	// inputs, but done never goes back and total is -1 or the total.
	for i, c := range calls {
		if c[0] < 1 || c[0] > 50 || i > 0 && c[0] < calls[i-1][0] || c[1] != -1 && c[1] != 50 {
			t.Fatalf("Progress calls %v", calls)
		}
	}
	if last := calls[len(calls)-1]; last != [2]int{50, 50} {
		t.Fatalf("last Progress call %v; want [50 50]", last)
	}
}

func TestStreamOnClosedPoolYieldsErrClosed(t *testing.T) {
	p := New(context.Background())
	closeQuiet(t, p)
	for _, err := range Stream(context.Background(), p, count(3), square) {
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("err = %v; want ErrClosed", err)
		}
	}
}

func TestStreamTaskTimeoutFailsAnInputThatIgnoresItsCtx(t *testing.T) {
	// Long enough that no input that returns at once times out on a loaded machine.
	p := newPool(t, Workers(2), TaskTimeout(200*time.Millisecond))
	release := make(chan struct{})
	free := sync.OnceFunc(func() { close(release) })
	defer free()
	done := make(chan struct{})
	var got []int
	var failed []int
	go func() {
		defer close(done)
		for v, err := range Stream(context.Background(), p, count(40), func(_ context.Context, x int) (int, error) {
			if x == 5 || x == 6 || x == 20 {
				<-release // ignores its ctx and its deadline
			}
			return x, nil
		}) {
			var te *TaskError
			switch {
			case errors.As(err, &te) && errors.Is(err, context.DeadlineExceeded):
				failed = append(failed, te.Index)
			case err != nil:
				t.Errorf("err = %v", err)
			default:
				got = append(got, v)
			}
		}
	}()
	within(t, "a Stream with inputs past TaskTimeout", done)
	if !slices.Equal(failed, []int{5, 6, 20}) || len(got) != 37 {
		t.Fatalf("failed %v and %d results; want [5 6 20] and 37, in order", failed, len(got))
	}
	awaitAbandoned(t, p, 3)
	free()
	closeQuiet(t, p) // runners count a batch at a time: read once quiet
	if s := p.Stats(); s.Failed != 3 || s.Done != 37 || s.Abandoned != 3 {
		t.Fatalf("Stats = %+v; want 37 done, 3 failed and abandoned", s)
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

// Workers take inputs in batches, but never wait for a batch to fill: an
// input sequence that yields its next input only once the result of the last
// one has been yielded runs to its end, after fast batches have grown.
func TestStreamHandsOverEachInputWithoutWaitingForABatch(t *testing.T) {
	p := newPool(t, Workers(2))
	const fast, lockstep = 100_000, 200
	results := make(chan int, 1)
	in := func(yield func(int) bool) {
		for i := range fast + lockstep {
			if !yield(i) {
				return
			}
			if i >= fast {
				select {
				case <-results: // the loop has yielded i
				case <-time.After(10 * time.Second):
					t.Errorf("input %d: its result was not yielded in 10s", i)
					return
				}
			}
		}
	}
	done := make(chan struct{})
	n := 0
	go func() {
		defer close(done)
		for v, err := range Stream(context.Background(), p, in, square) {
			if err != nil || v != n*n {
				t.Errorf("result %d = %d, %v; want %d", n, v, err, n*n)
			}
			if n >= fast {
				results <- n
			}
			n++
		}
	}()
	within(t, "Stream in lockstep with its input", done)
	if n != fast+lockstep {
		t.Fatalf("yielded %d results; want %d", n, fast+lockstep)
	}
}

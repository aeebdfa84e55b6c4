package pool

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A deadline that does not fire must not cost an allocation (a context, a
// timer, an AfterFunc) per input: it used to cost eleven.
func TestMapAndStreamUnderADeadlineAllocateNothingPerInput(t *testing.T) {
	const n = 20_000
	p := newPool(t, Workers(2), TaskTimeout(time.Minute))
	ctx := context.Background()
	for _, c := range []struct {
		name string
		run  func()
	}{
		{"Map with TaskTimeout", func() { Map(ctx, p, ints(n), square) }},
		{"Map with Timeout", func() { Map(ctx, p, ints(n), square, Timeout(time.Hour)) }},
		{"Stream with TaskTimeout", func() {
			for range Stream(ctx, p, count(n), square) {
			}
		}},
	} {
		c.run() // warm up
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		c.run()
		runtime.ReadMemStats(&after)
		if allocs := after.Mallocs - before.Mallocs; allocs > n/100 {
			t.Errorf("%s over %d inputs: %d allocations; want under %d", c.name, n, allocs, n/100)
		}
	}
}

// An input that watches its ctx sees it end at its deadline, with
// DeadlineExceeded, and the Deadline it was told; so does a ctx derived from
// it. With chunks of many inputs, the one that hangs is in the middle of one.
func TestDeadlineEndsTheCtxOfAnInputThatWatchesIt(t *testing.T) {
	const n, slow, d = 10_000, 6_000, 100 * time.Millisecond
	p := newPool(t, Workers(2))
	type seen struct {
		deadline time.Time
		ok       bool
		err      error
		derived  error
		started  time.Time
		ended    time.Time
	}
	var mu sync.Mutex
	var got []seen
	fn := func(ctx context.Context, x int) (int, error) {
		if x != slow {
			return x + 1, nil
		}
		s := seen{started: time.Now()}
		s.deadline, s.ok = ctx.Deadline()
		derived, cancel := context.WithCancel(ctx)
		defer cancel()
		<-derived.Done()
		s.ended, s.err, s.derived = time.Now(), ctx.Err(), derived.Err()
		mu.Lock()
		got = append(got, s)
		mu.Unlock()
		return 0, ctx.Err()
	}
	check := func(what string, err error) {
		t.Helper()
		var te *TaskError
		if !errors.As(err, &te) || te.Index != slow || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%s: err = %v; want DeadlineExceeded for input %d", what, err, slow)
		}
	}
	out, err := Map(context.Background(), p, ints(n), fn, Timeout(d), CollectErrors())
	check("Map", err)
	for i, v := range out {
		if i != slow && v != i+1 {
			t.Fatalf("Map: out[%d] = %d; want %d", i, v, i+1)
		}
	}
	results := 0
	for v, err := range Stream(context.Background(), p, count(n), fn, Timeout(d)) {
		if err != nil {
			check("Stream", err)
		} else if v != 0 {
			results++
		}
	}
	if results != n-1 {
		t.Fatalf("Stream yielded %d results; want %d", results, n-1)
	}
	eventually(t, "both slow inputs returned", func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 2 })
	for _, s := range got {
		if !errors.Is(s.err, context.DeadlineExceeded) || !errors.Is(s.derived, context.DeadlineExceeded) || !s.ok {
			t.Fatalf("the input's ctx ended with %v, a ctx derived from it with %v, Deadline ok %v; want DeadlineExceeded and a deadline", s.err, s.derived, s.ok)
		}
		if s.ended.Sub(s.started) < d-time.Millisecond || s.deadline.Before(s.started.Add(d-time.Millisecond)) {
			t.Fatalf("the ctx ended %v after the input started, with a deadline %v after; want %v at least", s.ended.Sub(s.started), s.deadline.Sub(s.started), d)
		}
	}
}

// With one loop, an input that hangs past its deadline in the middle of a
// chunk fails Map at once; the inputs before it keep their results and count
// as finished, those after it never run.
func TestMapDeadlineInTheMiddleOfAChunkKeepsWhatRan(t *testing.T) {
	const n, slow = 10_000, 5_000
	p := newPool(t, Workers(1), TaskTimeout(50*time.Millisecond))
	release := make(chan struct{})
	defer close(release)
	ran := make([]bool, n) // written by the one loop, read after Map returns
	done := make(chan struct{})
	var out []int
	var err error
	go func() {
		defer close(done)
		out, err = Map(context.Background(), p, ints(n), func(_ context.Context, x int) (int, error) {
			ran[x] = true
			if x == slow {
				<-release // ignores its ctx and its deadline
			}
			return x + 1, nil
		})
	}()
	within(t, "Map whose input hangs past its deadline", done)
	var pe *PartialError
	var te *TaskError
	if !errors.As(err, &pe) || !errors.As(err, &te) || te.Index != slow || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v; want a PartialError of DeadlineExceeded for input %d", err, slow)
	}
	for i := range n {
		if want := i < slow; pe.Finished(i) != want || (want && out[i] != i+1) || (i > slow && ran[i]) {
			t.Fatalf("input %d: finished %v, out %d, ran %v; want finished and out[i] = i+1 only before %d, nothing run after", i, pe.Finished(i), out[i], ran[i], slow)
		}
	}
	if s := p.Stats(); s.Done != slow || s.Failed != 1 || s.Canceled != n-slow-1 {
		t.Fatalf("Stats = %+v; want %d done, 1 failed, %d cancelled", s, slow, n-slow-1)
	}
}

// With CollectErrors, the inputs a loop had claimed after the one that hung
// are run by the others, each once.
func TestMapDeadlineWithCollectErrorsRunsTheRestOfTheChunk(t *testing.T) {
	const n = 10_000
	slow := []int{3_000, 7_000}
	p := newPool(t, Workers(2), TaskTimeout(200*time.Millisecond))
	release := make(chan struct{})
	free := sync.OnceFunc(func() { close(release) })
	defer free()
	calls := make([]int32, n)
	var mu sync.Mutex
	done := make(chan struct{})
	var out []int
	var err error
	go func() {
		defer close(done)
		out, err = Map(context.Background(), p, ints(n), func(_ context.Context, x int) (int, error) {
			mu.Lock()
			calls[x]++
			mu.Unlock()
			if slices.Contains(slow, x) {
				<-release // ignores its ctx and its deadline
			}
			return x + 1, nil
		}, CollectErrors())
	}()
	within(t, "Map with inputs past their deadline", done)
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok || len(joined.Unwrap()) != 2 {
		t.Fatalf("err = %v; want the two inputs that timed out", err)
	}
	for k, e := range joined.Unwrap() {
		var te *TaskError
		if !errors.As(e, &te) || te.Index != slow[k] || !errors.Is(e, context.DeadlineExceeded) {
			t.Fatalf("error %d = %v; want DeadlineExceeded for input %d", k, e, slow[k])
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for i, v := range out {
		if calls[i] != 1 || (!slices.Contains(slow, i) && v != i+1) {
			t.Fatalf("input %d: called %d times, out %d; want once, %d", i, calls[i], v, i+1)
		}
	}
	if s := p.Stats(); s.Failed != 2 || s.Done != n-2 || s.Canceled != 0 {
		t.Fatalf("Stats = %+v; want %d done, 2 failed", s, n-2)
	}
}

// TestStressDeadlines runs Map and Stream calls with random deadlines, inputs
// that ignore their ctx past them, watch it, fail or return at once, and cancels
// at random points, each on a pool of its own so that its Stats are its own.
// Whatever the interleaving: no input runs twice, every result Map keeps or
// Stream yields is right, PartialError.Finished counts exactly Stats.Done, and
// Done, Failed and Canceled add up to the inputs.
func TestStressDeadlines(t *testing.T) {
	seeds, calls := 6, 40
	if testing.Short() {
		seeds = 2
	}
	for seed := range seeds {
		rng := rand.New(rand.NewPCG(uint64(seed), 14))
		for range calls {
			stressDeadlineOnce(t, rng)
		}
	}
}

func stressDeadlineOnce(t *testing.T, rng *rand.Rand) {
	opts := []Option{Workers(1 + rng.IntN(3))}
	var mopts []MapOption
	if rng.IntN(2) == 0 {
		opts = append(opts, TaskTimeout(time.Duration(1+rng.IntN(5))*time.Millisecond))
	} else {
		mopts = append(mopts, Timeout(time.Duration(1+rng.IntN(5))*time.Millisecond))
	}
	if rng.IntN(2) == 0 {
		mopts = append(mopts, CollectErrors())
	}
	p := New(context.Background(), opts...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := rng.IntN(3000)
	cancelAt := -1
	if rng.IntN(3) == 0 {
		cancelAt = rng.IntN(n + 1)
	}
	// 0: returns at once, 1: ignores its ctx for up to 8ms, 2: watches its
	// ctx, 3: fails. Not more: every loop that ignores its ctx past its
	// deadline holds a goroutine, and past Workers(n) of them a slot.
	kinds, naps := make([]int, n), make([]time.Duration, n)
	for i := range kinds {
		if k := rng.IntN(400); k < 3 {
			kinds[i] = k + 1
			naps[i] = time.Duration(rng.IntN(8000)) * time.Microsecond
		}
	}
	runs := make([]atomic.Int32, n)
	fn := func(ctx context.Context, x int) (int, error) {
		runs[x].Add(1)
		if x == cancelAt {
			cancel()
		}
		switch kinds[x] {
		case 1:
			time.Sleep(naps[x]) // busy ignoring its ctx: the work, not a wait for an event
		case 2:
			<-ctx.Done()
			return 0, ctx.Err()
		case 3:
			return 0, errors.New("stress: failed")
		}
		return x + 1, nil
	}
	var finished int
	var inputs func() int
	if rng.IntN(2) == 0 {
		finished, inputs = stressDeadlineMap(t, ctx, p, n, fn, mopts)
	} else {
		finished, inputs = stressDeadlineStream(t, ctx, p, n, fn, mopts)
	}
	closeQuiet(t, p) // after it, no Stream feeder is left either
	for x := range runs {
		if r := runs[x].Load(); r > 1 {
			t.Fatalf("input %d ran %d times", x, r)
		}
	}
	s := p.Stats()
	if s.Done+s.Failed+s.Canceled != inputs() || (finished >= 0 && s.Done != finished) {
		t.Fatalf("Stats = %+v; want Done+Failed+Canceled = %d inputs, Done = %d finished", s, inputs(), finished)
	}
}

// stressDeadlineMap runs one Map and checks what it returned; it returns how
// many inputs finished and how many there were.
func stressDeadlineMap(t *testing.T, ctx context.Context, p *Pool, n int, fn func(context.Context, int) (int, error), opts []MapOption) (int, func() int) {
	out, err := Map(ctx, p, ints(n), fn, opts...)
	if len(out) != n {
		t.Fatalf("Map returned %d results for %d inputs", len(out), n)
	}
	var pe *PartialError
	partial := errors.As(err, &pe)
	failed := map[int]bool{}
	if j, ok := err.(interface{ Unwrap() []error }); ok && !partial {
		for _, e := range j.Unwrap() {
			failed[e.(*TaskError).Index] = true
		}
	} else if te := (*TaskError)(nil); !partial && errors.As(err, &te) {
		failed[te.Index] = true
	}
	finished := 0
	for i, v := range out {
		if partial && !pe.Finished(i) || !partial && failed[i] {
			continue
		}
		finished++
		if v != i+1 {
			t.Fatalf("Map (err %v): input %d finished with %d; want %d", err, i, v, i+1)
		}
	}
	return finished, func() int { return n }
}

// stressDeadlineStream runs one Stream to its end and checks what it
// yielded; it returns how many results it yielded when the Stream ran every
// input (-1 when the ctx ended it), and how many inputs it pulled, to be read
// once its feeder is gone.
func stressDeadlineStream(t *testing.T, ctx context.Context, p *Pool, n int, fn func(context.Context, int) (int, error), opts []MapOption) (int, func() int) {
	var pulled atomic.Int64
	inputs := func() int { return int(pulled.Load()) }
	in := func(yield func(int) bool) {
		for i := range n {
			pulled.Add(1)
			if !yield(i) {
				return
			}
		}
	}
	yielded := make([]bool, n)
	results, ended := 0, false
	for v, err := range Stream(ctx, p, in, fn, opts...) {
		var te *TaskError
		x := v - 1
		switch {
		case errors.As(err, &te):
			x = te.Index
		case err != nil:
			ended = true // the ctx's error: the last pair
			continue
		default:
			results++
		}
		if x < 0 || x >= n || yielded[x] {
			t.Fatalf("Stream yielded input %d (%v, %v) twice or out of range", x, v, err)
		}
		yielded[x] = true
	}
	if ended {
		return -1, inputs
	}
	if countTrue(yielded) != n {
		t.Fatalf("Stream ran to its end yielding %d of %d inputs", countTrue(yielded), n)
	}
	return results, inputs
}

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// A deadline far shorter than the watchdog's tick is kept exactly by an input
// that looks at its ctx: each of these inputs sees it passed.
func TestAShortDeadlineHasPassedForAnInputThatLooks(t *testing.T) {
	p := newPool(t, Workers(2))
	const n = 200
	looks := func(ctx context.Context, x int) (int, error) {
		for start := time.Now(); time.Since(start) < time.Microsecond; {
			// work longer than the deadline
		}
		if d, ok := ctx.Deadline(); !ok || time.Until(d) > 0 {
			return 0, fmt.Errorf("input %d: Deadline %v, %v: want one passed", x, d, ok)
		}
		return x, ctx.Err()
	}
	_, err := Map(context.Background(), p, ints(n), looks, Timeout(time.Nanosecond), CollectErrors())
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok || len(joined.Unwrap()) != n {
		t.Fatalf("Map: err = %v; want all %d inputs failed", err, n)
	}
	for _, e := range joined.Unwrap() {
		if !errors.Is(e, context.DeadlineExceeded) {
			t.Fatalf("Map: %v; want DeadlineExceeded", e)
		}
	}
	failed := 0
	for _, err := range Stream(context.Background(), p, count(n), looks, Timeout(time.Nanosecond)) {
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Stream: err = %v; want DeadlineExceeded", err)
		}
		failed++
	}
	if failed != n {
		t.Fatalf("Stream: %d inputs failed; want %d", failed, n)
	}
}

// An input that runs past a precise (<10ms) deadline and only looks at its
// ctx after its Stream has ended must not lose the inputs behind it in its
// runner's batch: Stats count every input pulled.
func TestStreamInputFailedByItsShortDeadlineAfterTheEndLosesNoInputFromStats(t *testing.T) {
	p := newPool(t, Workers(1))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var pulled atomic.Int64
	in := func(yield func(int) bool) {
		for i := range 100000 {
			pulled.Add(1)
			if !yield(i) {
				return
			}
		}
	}
	ended, returned := make(chan struct{}), make(chan struct{})
	var hung atomic.Bool
	fn := func(ctx context.Context, x int) (int, error) {
		// internal: is x followed by other inputs in its runner's batch?
		r := ctx.(*inputCtx).clock.loop.(*streamRunner[int, int])
		i := slices.IndexFunc(r.batch, func(it streamItem[int]) bool { return it.seq == x })
		if i+1 == len(r.batch) || !hung.CompareAndSwap(false, true) {
			return x, nil
		}
		defer close(returned)
		cancel() // the Stream ends while x runs, well before x's deadline
		<-ended
		dl, _ := ctx.Deadline()
		time.Sleep(time.Until(dl)) // x's work outlasts its deadline
		return x, ctx.Err()        // precise mode: Err fails x itself
	}
	for range Stream(ctx, p, in, fn, Timeout(9*time.Millisecond)) {
	}
	close(ended)
	if !hung.Load() {
		t.Fatal("no input ran with others behind it in its batch: the test no longer tests what it says")
	}
	within(t, "the input past its deadline", returned)
	eventually(t, "Stats count every input pulled", func() bool {
		s := p.Stats()
		return s.Done+s.Failed+s.Canceled == int(pulled.Load())
	})
}

// lateLoop is a timedLoop whose input begins while the watchdog's scan is
// under way: after the scan read the clock, before it loads the input.
type lateLoop struct {
	t           timed
	calls       int
	began, upAt time.Time
}

func (l *lateLoop) clock() *timed {
	if l.calls++; l.calls == 1 {
		time.Sleep(3 * time.Millisecond) // the watchdog's goroutine descheduled mid-scan
		l.began = time.Now()
		l.t.item.Store(1) // input 0 begins
	}
	return &l.t
}

func (l *lateLoop) timeUp(int) {
	if l.upAt.IsZero() {
		l.upAt = time.Now()
	}
}

// The watchdog never fails an input before d has passed since it began.
func TestWatchdogNeverFailsAnInputEarly(t *testing.T) {
	const d = 20 * time.Millisecond
	w := &watchdog{d: d, every: d / 128, epoch: time.Now()}
	l := &lateLoop{}
	w.add(l)
	for l.upAt.IsZero() {
		w.scan()
		time.Sleep(w.every) // the ticker
	}
	if ran := l.upAt.Sub(l.began); ran < d {
		t.Fatalf("input failed after %v; its deadline is %v", ran, d)
	}
}

// context.Context: once Err is non-nil, Done is closed.
func TestInputCtxErrIsNilUntilDoneIsClosed(t *testing.T) {
	p := newPool(t, Workers(1))
	for range 20 {
		ctx, cancel := context.WithCancel(context.Background())
		var bad atomic.Bool
		fn := func(ctx context.Context, x int) (int, error) {
			done := ctx.Done()
			cancel()
			if ctx.Err() != nil {
				select {
				case <-done:
				default:
					bad.Store(true)
				}
			}
			return x, nil
		}
		Map(ctx, p, ints(1), fn, Timeout(time.Second))
		if bad.Load() {
			t.Fatal("Err is non-nil while Done is not closed")
		}
	}
}

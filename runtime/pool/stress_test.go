package pool

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestStressRandomOperations runs thousands of random operations on pools with
// random options: tasks that return, fail, panic, honour or ignore their ctx;
// Cancel, Submit ctxs and the pool's ctx ended at random moments; Map and Stream
// calls cancelled midway; Close with a ctx too short, then a patient one. It
// asserts the promises that must hold whatever the interleaving: every Future
// resolves exactly once with a stable result, a successful result is the right
// one, every task and item is counted in exactly one of Done, Failed and
// Canceled, the gauges return to zero, and no goroutine is left.
func TestStressRandomOperations(t *testing.T) {
	seeds := 8
	if testing.Short() {
		seeds = 2
	}
	for seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { stressOnce(t, uint64(seed)) })
	}
}

type stressRun struct {
	t       *testing.T
	p       *Pool
	futures chan stressFuture
	items   atomic.Int64       // tasks submitted plus Map inputs
	pulled  chan *atomic.Int64 // Stream inputs pulled, final once the feeders are gone
}

type stressFuture struct {
	f    *Future[int]
	want int
}

func stressOnce(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	poolCtx, cancelPool := context.WithCancelCause(context.Background())
	defer cancelPool(nil)
	opts := []Option{Workers(1 + rng.IntN(4))}
	if rng.IntN(2) == 0 {
		opts = append(opts, QueueSize(1+rng.IntN(8)))
	}
	if rng.IntN(2) == 0 {
		opts = append(opts, TaskTimeout(time.Duration(1+rng.IntN(3))*time.Millisecond))
	}
	s := &stressRun{t: t, p: New(poolCtx, opts...), futures: make(chan stressFuture, 10_000), pulled: make(chan *atomic.Int64, 10_000)}

	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() { s.actor(rand.New(rand.NewPCG(seed, uint64(g)+2)), 500) })
	}
	switch rng.IntN(4) {
	case 0: // the pool's ctx ends midway
		time.Sleep(time.Duration(rng.IntN(100)) * time.Millisecond)
		cancelPool(errors.New("stress: pool cancelled"))
	case 1: // an impatient Close midway
		time.Sleep(time.Duration(rng.IntN(100)) * time.Millisecond)
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rng.IntN(3))*time.Millisecond)
		s.p.Close(ctx)
		cancel()
	}
	wg.Wait()
	close(s.futures)
	resolvedOK := 0
	for sf := range s.futures {
		within(t, "a Future's resolution", sf.f.Done())
		v1, err1 := sf.f.Get(context.Background())
		v2, err2 := sf.f.GetWithin(0)
		if v1 != v2 || err1 != err2 {
			t.Fatalf("Future read twice: %v, %v then %v, %v", v1, err1, v2, err2)
		}
		if err1 == nil {
			resolvedOK++
			if v1 != sf.want {
				t.Fatalf("Future resolved with %d; want %d", v1, sf.want)
			}
		}
	}
	closeQuiet(t, s.p) // after it, no Stream feeder is left either
	close(s.pulled)
	for n := range s.pulled {
		s.items.Add(n.Load())
	}
	st := s.p.Stats()
	t.Logf("%d items: %+v", s.items.Load(), st)
	if st.Done+st.Failed+st.Canceled != int(s.items.Load()) || st.Queued != 0 || st.Running != 0 {
		t.Fatalf("Stats = %+v; want Done+Failed+Canceled = %d and no gauge left", st, s.items.Load())
	}
	if st.Done < resolvedOK {
		t.Fatalf("Stats.Done = %d; fewer than the %d Futures that resolved with a value", st.Done, resolvedOK)
	}
}

// actor performs n random operations.
func (s *stressRun) actor(rng *rand.Rand, n int) {
	for i := range n {
		switch op := rng.IntN(20); {
		case op < 15:
			s.submit(rng, i)
		case op < 18:
			s.mapCall(rng)
		default:
			s.streamCall(rng)
		}
	}
}

// body returns a task body of a random kind for input x.
func body(rng *rand.Rand) func(ctx context.Context, x int) (int, error) {
	d := time.Duration(rng.IntN(200)) * time.Microsecond
	switch rng.IntN(7) {
	case 6: // now and then, ignores its ctx past any TaskTimeout
		return func(_ context.Context, x int) (int, error) {
			if x%50 == 0 {
				time.Sleep(4 * time.Millisecond)
			}
			return x, nil
		}
	case 0:
		return func(context.Context, int) (int, error) { return 0, errors.New("stress: failed") }
	case 1:
		return func(context.Context, int) (int, error) { panic("stress: panicked") }
	case 2: // ignores its ctx for a while
		return func(_ context.Context, x int) (int, error) { time.Sleep(d); return x, nil }
	case 3: // honours its ctx
		return func(ctx context.Context, x int) (int, error) {
			select {
			case <-time.After(d):
				return x, nil
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}
	default:
		return func(_ context.Context, x int) (int, error) { return x, nil }
	}
}

func (s *stressRun) submit(rng *rand.Rand, x int) {
	ctx := context.Background()
	var cancel context.CancelFunc = func() {}
	switch rng.IntN(6) {
	case 0:
		ctx, cancel = context.WithCancel(ctx)
	case 1:
		ctx, cancel = context.WithTimeout(ctx, time.Duration(rng.IntN(300))*time.Microsecond)
	}
	fn := body(rng)
	s.items.Add(1)
	f := Submit(ctx, s.p, func(ctx context.Context) (int, error) { return fn(ctx, x) })
	s.futures <- stressFuture{f, x}
	switch rng.IntN(5) {
	case 0:
		f.Cancel()
	case 1:
		f.GetWithin(time.Duration(rng.IntN(100)) * time.Microsecond)
	case 2:
		cancel()
	}
	time.AfterFunc(time.Duration(rng.IntN(1000))*time.Microsecond, cancel)
}

func (s *stressRun) mapCall(rng *rand.Rand) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rng.IntN(2))*time.Duration(rng.IntN(2000))*time.Microsecond+time.Duration(rng.IntN(2))*time.Second)
	defer cancel()
	in := ints(rng.IntN(200))
	fn := body(rng)
	var opts []MapOption
	if rng.IntN(2) == 0 {
		opts = append(opts, CollectErrors())
	}
	out, err := Map(ctx, s.p, in, fn, opts...)
	if len(out) != len(in) {
		s.t.Errorf("Map returned %d results for %d inputs", len(out), len(in))
	}
	if err == nil && len(in) > 0 && out[len(in)-1] != len(in)-1 {
		s.t.Errorf("Map succeeded with out[%d] = %d", len(in)-1, out[len(in)-1])
	}
	s.items.Add(int64(len(in))) // each input is counted, whether it ran or not
}

func (s *stressRun) streamCall(rng *rand.Rand) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rng.IntN(2000))*time.Microsecond)
	defer cancel()
	fn := body(rng)
	pulled := new(atomic.Int64)
	s.pulled <- pulled
	n := rng.IntN(200)
	in := func(yield func(int) bool) {
		for i := range n {
			pulled.Add(1)
			if !yield(i) {
				return
			}
		}
	}
	stopAt, yielded := rng.IntN(250), 0
	for range Stream(ctx, s.p, in, fn) {
		if yielded++; yielded == stopAt {
			break
		}
	}
}

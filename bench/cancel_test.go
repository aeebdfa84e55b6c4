package bench

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alitto/pond/v2"
	"github.com/panjf2000/ants/v2"
	"github.com/poolgen/poolgen/runtime/pool"
	"github.com/sourcegraph/conc/iter"
	concpool "github.com/sourcegraph/conc/pool"
	"golang.org/x/sync/errgroup"
)

// A cancelContender runs n calls of task(ctx) through its library, calls ready
// once it has queued all it will take without blocking, and returns when the
// library's wait returns. drain then waits until no task runs any more, so
// that the tasks that started late can be counted.
//
// Waits that take no ctx (ants's and errgroup's and conc's, whose Go blocks
// the producer once every worker is busy) cannot return before the remaining
// inputs have been handed over one by one: for them the latency is the time to
// drain. Their producer loops are written as each library documents them, with
// no ctx check of their own.
type cancelContender struct {
	impl string
	run  func(ctx context.Context, n int, task func(context.Context), ready func()) (drain func())
}

var cancelContenders = []cancelContender{
	// The baseline's waiter selects on ctx, so it returns at once; its workers
	// still start every queued task.
	{"channel-pool", func(ctx context.Context, n int, task func(context.Context), ready func()) func() {
		c := NewChannelPool(workers, n)
		results := make([]chan struct{}, n)
		for i := range results {
			res := make(chan struct{}, 1)
			c.Go(func() { task(ctx); res <- struct{}{} })
			results[i] = res
		}
		ready()
		for _, res := range results {
			select {
			case <-res:
			case <-ctx.Done():
				return c.Close
			}
		}
		return c.Close
	}},
	{"poolgen-submit", func(ctx context.Context, n int, task func(context.Context), ready func()) func() {
		p := pool.New(context.Background(), pool.Workers(workers))
		fs := make([]*pool.Future[struct{}], n)
		for i := range fs {
			fs[i] = pool.Submit(ctx, p, func(ctx context.Context) (struct{}, error) {
				task(ctx)
				return struct{}{}, ctx.Err()
			})
		}
		ready()
		for _, f := range fs {
			if _, err := f.Get(ctx); err != nil {
				break
			}
		}
		return func() { p.Close(context.Background()) }
	}},
	{"poolgen-map", func(ctx context.Context, n int, task func(context.Context), ready func()) func() {
		p := pool.New(context.Background(), pool.Workers(workers))
		ready()
		pool.Map(ctx, p, make([]struct{}, n), func(ctx context.Context, _ struct{}) (struct{}, error) {
			task(ctx)
			return struct{}{}, ctx.Err()
		})
		return func() { p.Close(context.Background()) }
	}},
	{"poolgen-stream", func(ctx context.Context, n int, task func(context.Context), ready func()) func() {
		p := pool.New(context.Background(), pool.Workers(workers))
		ready()
		in := slices.Values(make([]struct{}, n))
		for _, err := range pool.Stream(ctx, p, in, func(ctx context.Context, _ struct{}) (struct{}, error) {
			task(ctx)
			return struct{}{}, ctx.Err()
		}) {
			if err != nil {
				break
			}
		}
		return func() { p.Close(context.Background()) }
	}},
	// ants: Submit blocks while every worker is busy; the WaitGroup takes no ctx.
	{"ants", func(ctx context.Context, n int, task func(context.Context), ready func()) func() {
		ap, _ := ants.NewPool(workers)
		ready()
		var wg sync.WaitGroup
		wg.Add(n)
		for range n {
			ap.Submit(func() { task(ctx); wg.Done() })
		}
		wg.Wait()
		return ap.Release
	}},
	// pond: a group bound to ctx; its Wait returns ctx's error once the
	// running tasks have returned.
	{"pond", func(ctx context.Context, n int, task func(context.Context), ready func()) func() {
		pp := pond.NewPool(workers)
		g := pp.NewGroupContext(ctx)
		for range n {
			g.Submit(func() { task(ctx) })
		}
		ready()
		g.Wait()
		return pp.StopAndWait
	}},
	// conc's pool: Go blocks while every goroutine is busy; Wait takes no ctx.
	{"conc-pool", func(ctx context.Context, n int, task func(context.Context), ready func()) func() {
		p := concpool.New().WithContext(ctx).WithMaxGoroutines(workers)
		ready()
		for range n {
			p.Go(func(ctx context.Context) error { task(ctx); return ctx.Err() })
		}
		p.Wait()
		return func() {}
	}},
	// conc's iter takes no ctx at all: every input runs.
	{"conc-iter", func(ctx context.Context, n int, task func(context.Context), ready func()) func() {
		ready()
		iter.Iterator[struct{}]{MaxGoroutines: workers}.ForEach(make([]struct{}, n), func(*struct{}) { task(ctx) })
		return func() {}
	}},
	// errgroup: Go blocks at the limit; Wait takes no ctx.
	{"errgroup", func(ctx context.Context, n int, task func(context.Context), ready func()) func() {
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(workers)
		ready()
		for range n {
			g.Go(func() error { task(gctx); return gctx.Err() })
		}
		g.Wait()
		return func() {}
	}},
}

// BenchmarkCancelLatency cancels a batch whose every worker is busy with a
// cooperative task (it spins until its ctx is done) and behind which 1k, 100k
// or 1M tasks wait. It reports the µs from cancel until the library's wait
// returns, and how many tasks started after the cancel (each task counts
// itself when it starts, then returns at once if its ctx is done).
//
// To keep run.sh within its time, a contender whose run took over a second at
// one size is not run at the next, ten times larger, one: it is reported as
// skipped (and RESULTS.md says so), since its latency is then far from flat
// anyway.
func BenchmarkCancelLatency(b *testing.B) {
	slowest := map[string]time.Duration{} // longest run of each contender at the last size
	for _, queued := range []int{1_000, 100_000, 1_000_000} {
		for _, c := range cancelContenders {
			b.Run(fmt.Sprintf("queued=%d/impl=%s", queued, c.impl), func(b *testing.B) {
				if d := slowest[c.impl]; d > time.Second {
					b.Skipf("a run at %d queued took %v: not run at %d", queued/10, d.Round(time.Millisecond), queued)
				}
				var latency time.Duration
				var late int64
				for range b.N {
					start := time.Now()
					d, n := cancelOnce(c, queued)
					slowest[c.impl] = max(slowest[c.impl], time.Since(start))
					latency += d
					late += n
				}
				b.ReportMetric(float64(latency.Nanoseconds())/1e3/float64(b.N), "µs/cancel")
				b.ReportMetric(float64(late)/float64(b.N), "started-after-cancel")
			})
		}
	}
}

// cancelOnce runs one batch of c with queued tasks behind the busy workers,
// cancels it, and returns how long the wait took to return and how many tasks
// started after the cancel.
func cancelOnce(c cancelContender, queued int) (time.Duration, int64) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var started atomic.Int64
	task := func(ctx context.Context) {
		started.Add(1)
		for x := 0; ctx.Err() == nil; x++ {
			sinkAdd(x)
		}
	}
	var isReady atomic.Bool
	var returned time.Time
	var drain func()
	done := make(chan struct{})
	go func() {
		defer close(done)
		drain = c.run(ctx, workers+queued, task, func() { isReady.Store(true) })
		returned = time.Now()
	}()
	for !isReady.Load() || started.Load() < int64(workers) {
		time.Sleep(20 * time.Microsecond)
	}
	before := started.Load()
	cancelled := time.Now()
	cancel()
	<-done
	drain()
	return returned.Sub(cancelled), started.Load() - before
}

// sinkAdd is a few ns of work that the compiler cannot drop.
//
//go:noinline
func sinkAdd(x int) { sinkInt += x }

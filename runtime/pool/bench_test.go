package pool

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The baselines here are what a careful engineer writes by hand; the benchmarks
// report poolgen and its baseline side by side, so the ratio holds on a noisy
// machine. Compare with benchstat over -count 10:
//
//	go test -run '^$' -bench . -count 10 ./runtime/pool | tee new.txt
//	benchstat -col /impl new.txt

// work is a task of about 50ns: a few rounds of an integer hash.
//
//go:noinline
func work(x int) int {
	h := uint64(x) | 1
	for range 24 {
		h ^= h >> 33
		h *= 0xff51afd7ed558ccd
	}
	return int(h & 0xffff)
}

var sink atomic.Int64

const batch = 1024 // tasks in flight at once in the Submit+Get benchmarks

// channelPool is the baseline: workers reading tasks from a buffered channel,
// each task with a 1-buffered result channel.
type channelPool struct {
	tasks chan func()
	wg    sync.WaitGroup
}

func newChannelPool(n int) *channelPool {
	c := &channelPool{tasks: make(chan func(), batch)}
	for range n {
		c.wg.Go(func() {
			for t := range c.tasks {
				t()
			}
		})
	}
	return c
}

func (c *channelPool) close() { close(c.tasks); c.wg.Wait() }

func BenchmarkSubmitGet(b *testing.B) {
	workers := runtime.GOMAXPROCS(0)
	b.Run("impl=channel-pool", func(b *testing.B) {
		c := newChannelPool(workers)
		defer c.close()
		results := make([]chan int, 0, batch)
		b.ReportAllocs()
		for i := 0; i < b.N; {
			results = results[:0]
			for ; len(results) < batch && i < b.N; i++ {
				res := make(chan int, 1)
				x := i
				c.tasks <- func() { res <- work(x) }
				results = append(results, res)
			}
			for _, res := range results {
				sink.Add(int64(<-res))
			}
		}
	})
	b.Run("impl=poolgen", func(b *testing.B) {
		ctx := context.Background()
		p := New(ctx, Workers(workers))
		defer p.Close(ctx)
		futures := make([]*Future[int], 0, batch)
		b.ReportAllocs()
		for i := 0; i < b.N; {
			futures = futures[:0]
			for ; len(futures) < batch && i < b.N; i++ {
				x := i
				futures = append(futures, Submit(ctx, p, func(context.Context) (int, error) { return work(x), nil }))
			}
			for _, f := range futures {
				v, _ := f.Get(ctx)
				sink.Add(int64(v))
			}
		}
	})
}

// BenchmarkTaskContext measures what the lazy task ctx saves: a
// context.WithCancel per task on a shared parent, against the task ctx of a
// task that never looks at it.
func BenchmarkTaskContext(b *testing.B) {
	parent, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.Run("impl=WithCancel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_, c := context.WithCancel(parent)
				c()
			}
		})
	})
	b.Run("impl=lazy", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c := taskCtx{parent: parent} // embedded in the Future in real use
				c.end(context.Canceled, false)
			}
		})
	})
}

// chunkedLoop is the baseline for Map: goroutines claim index ranges with an
// atomic counter, call the same func value and write straight into the output.
func chunkedLoop[I, O any](ctx context.Context, workers int, in []I, fn func(context.Context, I) (O, error)) []O {
	const chunk = 1024
	out := make([]O, len(in))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= len(in) {
					return
				}
				for i := lo; i < min(lo+chunk, len(in)); i++ {
					out[i], _ = fn(ctx, in[i])
				}
			}
		})
	}
	wg.Wait()
	return out
}

func BenchmarkMap(b *testing.B) {
	const n = 100_000
	in := ints(n)
	fn := func(_ context.Context, x int) (int, error) { return x * 2, nil }
	ctx := context.Background()
	workers := runtime.GOMAXPROCS(0)
	report := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/item")
	}
	b.Run("impl=chunked-loop", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			chunkedLoop(ctx, workers, in, fn)
		}
		report(b)
	})
	b.Run("impl=poolgen", func(b *testing.B) {
		p := New(ctx, Workers(workers))
		defer p.Close(ctx)
		b.ReportAllocs()
		for b.Loop() {
			Map(ctx, p, in, fn)
		}
		report(b)
	})
}

// BenchmarkMapCancelLatency measures the time from cancel to Map's return with
// 1k, 100k and 1M inputs still to run behind busy, cooperative workers. It must
// not grow with the inputs left.
func BenchmarkMapCancelLatency(b *testing.B) {
	for _, n := range []int{1_000, 100_000, 1_000_000} {
		in := ints(n)
		b.Run(fmt.Sprintf("queued=%d", n), func(b *testing.B) {
			p := New(context.Background())
			defer p.Close(context.Background())
			var total time.Duration
			for b.Loop() {
				ctx, cancel := context.WithCancel(context.Background())
				started := make(chan struct{}, n)
				var returned time.Time
				done := make(chan struct{})
				go func() {
					defer close(done)
					Map(ctx, p, in, func(ctx context.Context, x int) (int, error) {
						started <- struct{}{}
						for ctx.Err() == nil && x >= 0 { // cooperative busy work
							sink.Add(int64(work(x)))
						}
						return x, ctx.Err()
					})
					returned = time.Now()
				}()
				<-started
				cancelled := time.Now()
				cancel()
				<-done
				total += returned.Sub(cancelled)
			}
			b.ReportMetric(float64(total.Microseconds())/float64(b.N), "µs/cancel")
		})
	}
}

package bench

import (
	"context"
	"fmt"
	"iter"
	"sync"
	"testing"

	"github.com/poolgen/poolgen/bench/tasks"
	"github.com/poolgen/poolgen/runtime/pool"
	"github.com/sourcegraph/conc/stream"
	"golang.org/x/sync/errgroup"
)

// A streamContender calls tasks.Mix on every input of in on workers goroutines
// and hands each result to use, until in ends.
type streamContender struct {
	impl string
	run  func(in iter.Seq[int], use func(int))
}

var streamContenders = []streamContender{
	// poolgen's Stream, in input order (its default).
	{"poolgen-stream", func(in iter.Seq[int], use func(int)) {
		ctx := context.Background()
		p := pool.New(ctx, pool.Workers(workers))
		defer p.Close(ctx)
		for v := range tasks.StreamHash(ctx, p, in) {
			use(v)
		}
	}},
	// conc's stream, in input order: each task returns a callback that runs
	// on the caller's side, in order.
	{"conc-stream", func(in iter.Seq[int], use func(int)) {
		s := stream.New().WithMaxGoroutines(workers)
		for x := range in {
			s.Go(func() stream.Callback {
				v := tasks.Mix(x)
				return func() { use(v) }
			})
		}
		s.Wait()
	}},
	// errgroup's pipeline, as its documentation draws it: a producer, workers
	// and the consumer joined by channels of workers slots. Results come in
	// the order they finish.
	{"errgroup-pipeline", func(in iter.Seq[int], use func(int)) {
		g, ctx := errgroup.WithContext(context.Background())
		inputs, results := make(chan int, workers), make(chan int, workers)
		g.Go(func() error {
			defer close(inputs)
			for x := range in {
				select {
				case inputs <- x:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		})
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for x := range inputs {
					select {
					case results <- tasks.Mix(x):
					case <-ctx.Done():
						return
					}
				}
			})
		}
		go func() { wg.Wait(); close(results) }()
		for v := range results {
			use(v)
		}
		g.Wait()
	}},
}

// BenchmarkStreamHeap streams 100k and 10M inputs, generated on the fly, and
// reports the heap above the start in two ways:
//
//   - peak-live-B and peak-inuse-B, sampled while the stream runs (see
//     HeapSampler). They carry noise: a GC counts what is allocated while it
//     marks as live, and the longer run sees more of those peaks.
//   - held-B, exact: ten times in the run (every tenth of the inputs) the
//     consumer stops, which stalls the stream once its buffers are full, and
//     weighs the live heap after a GC. Nothing allocates meanwhile, so this is
//     all that the stream holds at that point: it grows with the input only if
//     the stream's memory does.
func BenchmarkStreamHeap(b *testing.B) {
	for _, n := range []int{100_000, 10_000_000} {
		for _, c := range streamContenders {
			b.Run(fmt.Sprintf("inputs=%d/impl=%s", n, c.impl), func(b *testing.B) {
				var live, inuse, held uint64
				for range b.N {
					base := afterGC().HeapAlloc
					sampler := StartHeapSampler()
					count, sum := 0, 0
					c.run(upTo(n), func(v int) {
						count++
						sum += v
						if count%(n/10) == 0 {
							held = max(held, sub(afterGC().HeapAlloc, base))
						}
					})
					l, u := sampler.Stop()
					live, inuse = max(live, l), max(inuse, u)
					if count != n {
						b.Fatalf("got %d results, want %d", count, n)
					}
					sinkInt = sum
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/item")
				b.ReportMetric(float64(live), "peak-live-B")
				b.ReportMetric(float64(inuse), "peak-inuse-B")
				b.ReportMetric(float64(held), "held-B")
			})
		}
	}
}

// upTo yields 0, 1, …, n-1 without holding them.
func upTo(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for x := range n {
			if !yield(x) {
				return
			}
		}
	}
}

package bench

import (
	"context"
	"runtime"
	"slices"
	"sync"

	"github.com/alitto/pond/v2"
	"github.com/panjf2000/ants/v2"
	"github.com/poolgen/poolgen/bench/tasks"
	"github.com/poolgen/poolgen/runtime/pool"
	"github.com/sourcegraph/conc/iter"
	concpool "github.com/sourcegraph/conc/pool"
	"golang.org/x/sync/errgroup"
)

// workers is the pool size of every contender: one per core.
var workers = runtime.GOMAXPROCS(0)

// A fireContender runs a batch of tasks that return nothing and waits for all of
// them, each through its own API. setup builds what lives across batches (a
// pool) and returns the batch: run task(x) for every x of in, storing it in
// out[x]. TinyTasks and CPUTasks share these.
type fireContender struct {
	impl  string
	setup func(task func(int) int) (batch func(in, out []int), stop func())
}

// fireContenders, the baseline first so that benchstat compares to it.
var fireContenders = []fireContender{
	{"channel-pool", func(task func(int) int) (func(in, out []int), func()) {
		c := NewChannelPool(workers, 1024)
		return func(in, out []int) {
			done := make([]chan struct{}, len(in))
			for i, x := range in {
				res := make(chan struct{}, 1)
				c.Go(func() { out[x] = task(x); res <- struct{}{} })
				done[i] = res
			}
			for _, res := range done {
				<-res
			}
		}, c.Close
	}},
	{"poolgen-submit", func(task func(int) int) (func(in, out []int), func()) {
		ctx := context.Background()
		p := pool.New(ctx, pool.Workers(workers))
		return func(in, out []int) {
			fs := make([]*pool.Future[struct{}], len(in))
			for i, x := range in {
				fs[i] = pool.Submit(ctx, p, func(context.Context) (struct{}, error) {
					out[x] = task(x)
					return struct{}{}, nil
				})
			}
			for _, f := range fs {
				f.Get(ctx)
			}
		}, func() { p.Close(ctx) }
	}},
	{"poolgen-map", func(task func(int) int) (func(in, out []int), func()) {
		ctx := context.Background()
		p := pool.New(ctx, pool.Workers(workers))
		return func(in, out []int) {
			pool.Map(ctx, p, in, func(_ context.Context, x int) (struct{}, error) {
				out[x] = task(x)
				return struct{}{}, nil
			})
		}, func() { p.Close(ctx) }
	}},
	{"poolgen-stream", func(task func(int) int) (func(in, out []int), func()) {
		ctx := context.Background()
		p := pool.New(ctx, pool.Workers(workers))
		return func(in, out []int) {
			for range pool.Stream(ctx, p, slices.Values(in), func(_ context.Context, x int) (struct{}, error) {
				out[x] = task(x)
				return struct{}{}, nil
			}) {
			}
		}, func() { p.Close(ctx) }
	}},
	{"ants", func(task func(int) int) (func(in, out []int), func()) {
		ap, _ := ants.NewPool(workers)
		return func(in, out []int) {
			var wg sync.WaitGroup
			wg.Add(len(in))
			for _, x := range in {
				ap.Submit(func() { out[x] = task(x); wg.Done() })
			}
			wg.Wait()
		}, ap.Release
	}},
	{"pond", func(task func(int) int) (func(in, out []int), func()) {
		pp := pond.NewPool(workers)
		return func(in, out []int) {
			g := pp.NewGroup()
			for _, x := range in {
				g.Submit(func() { out[x] = task(x) })
			}
			g.Wait()
		}, pp.StopAndWait
	}},
	{"conc-pool", func(task func(int) int) (func(in, out []int), func()) {
		return func(in, out []int) {
			p := concpool.New().WithMaxGoroutines(workers)
			for _, x := range in {
				p.Go(func() { out[x] = task(x) })
			}
			p.Wait()
		}, func() {}
	}},
	{"conc-iter", func(task func(int) int) (func(in, out []int), func()) {
		it := iter.Iterator[int]{MaxGoroutines: workers}
		return func(in, out []int) {
			it.ForEach(in, func(x *int) { out[*x] = task(*x) })
		}, func() {}
	}},
	{"errgroup", func(task func(int) int) (func(in, out []int), func()) {
		return func(in, out []int) {
			var g errgroup.Group
			g.SetLimit(workers)
			for _, x := range in {
				g.Go(func() error { out[x] = task(x); return nil })
			}
			g.Wait()
		}, func() {}
	}},
}

// A typedContender runs a batch of tasks that each return task(x) and collects
// the results in input order through the library's own result API; where a
// library has none, the tasks store into a slice by index (said in impl's
// comment).
type typedContender struct {
	impl  string
	setup func(task func(int) int) (batch func(in []int) []int, stop func())
}

// indexed is a result that carries its input's position, for conc's
// ResultPool, which collects results in the order they finish.
type indexed struct{ i, v int }

// typedContenders, the baseline first.
var typedContenders = []typedContender{
	{"channel-pool", func(task func(int) int) (func(in []int) []int, func()) {
		c := NewChannelPool(workers, 1024)
		return func(in []int) []int {
			results := make([]chan int, len(in))
			for i, x := range in {
				res := make(chan int, 1)
				c.Go(func() { res <- task(x) })
				results[i] = res
			}
			out := make([]int, len(in))
			for i, res := range results {
				out[i] = <-res
			}
			return out
		}, c.Close
	}},
	{"poolgen-submit", func(task func(int) int) (func(in []int) []int, func()) {
		ctx := context.Background()
		p := pool.New(ctx, pool.Workers(workers))
		return func(in []int) []int {
			fs := make([]*pool.Future[int], len(in))
			for i, x := range in {
				fs[i] = pool.Submit(ctx, p, func(context.Context) (int, error) { return task(x), nil })
			}
			out := make([]int, len(in))
			for i, f := range fs {
				out[i], _ = f.Get(ctx)
			}
			return out
		}, func() { p.Close(ctx) }
	}},
	{"poolgen-map", func(task func(int) int) (func(in []int) []int, func()) {
		ctx := context.Background()
		p := pool.New(ctx, pool.Workers(workers))
		return func(in []int) []int {
			out, _ := pool.Map(ctx, p, in, func(_ context.Context, x int) (int, error) { return task(x), nil })
			return out
		}, func() { p.Close(ctx) }
	}},
	{"poolgen-stream", func(task func(int) int) (func(in []int) []int, func()) {
		ctx := context.Background()
		p := pool.New(ctx, pool.Workers(workers))
		return func(in []int) []int {
			out := make([]int, 0, len(in))
			for v := range pool.Stream(ctx, p, slices.Values(in), func(_ context.Context, x int) (int, error) { return task(x), nil }) {
				out = append(out, v)
			}
			return out
		}, func() { p.Close(ctx) }
	}},
	// poolgen-gen is the generated wrapper of tasks.Hash: SubmitHash and Get.
	// Its task is always tasks.Mix.
	{"poolgen-gen", func(func(int) int) (func(in []int) []int, func()) {
		ctx := context.Background()
		p := pool.New(ctx, pool.Workers(workers))
		return func(in []int) []int {
			fs := make([]*pool.Future[int], len(in))
			for i, x := range in {
				fs[i] = tasks.SubmitHash(ctx, p, x)
			}
			out := make([]int, len(in))
			for i, f := range fs {
				out[i], _ = f.Get(ctx)
			}
			return out
		}, func() { p.Close(ctx) }
	}},
	// ants has no result API: tasks store by index, a WaitGroup waits.
	{"ants", func(task func(int) int) (func(in []int) []int, func()) {
		ap, _ := ants.NewPool(workers)
		return func(in []int) []int {
			out := make([]int, len(in))
			var wg sync.WaitGroup
			wg.Add(len(in))
			for i, x := range in {
				ap.Submit(func() { out[i] = task(x); wg.Done() })
			}
			wg.Wait()
			return out
		}, ap.Release
	}},
	{"pond", func(task func(int) int) (func(in []int) []int, func()) {
		rp := pond.NewResultPool[int](workers)
		return func(in []int) []int {
			g := rp.NewGroup()
			for _, x := range in {
				g.Submit(func() int { return task(x) })
			}
			out, _ := g.Wait()
			return out
		}, rp.StopAndWait
	}},
	// conc's ResultPool collects in the order tasks finish: results carry their
	// index and are put in place after Wait.
	{"conc-pool", func(task func(int) int) (func(in []int) []int, func()) {
		return func(in []int) []int {
			p := concpool.NewWithResults[indexed]().WithMaxGoroutines(workers)
			for i, x := range in {
				p.Go(func() indexed { return indexed{i, task(x)} })
			}
			out := make([]int, len(in))
			for _, r := range p.Wait() {
				out[r.i] = r.v
			}
			return out
		}, func() {}
	}},
	{"conc-iter", func(task func(int) int) (func(in []int) []int, func()) {
		m := iter.Mapper[int, int]{MaxGoroutines: workers}
		return func(in []int) []int {
			return m.Map(in, func(x *int) int { return task(*x) })
		}, func() {}
	}},
	// errgroup has no result API: tasks store by index.
	{"errgroup", func(task func(int) int) (func(in []int) []int, func()) {
		return func(in []int) []int {
			out := make([]int, len(in))
			var g errgroup.Group
			g.SetLimit(workers)
			for i, x := range in {
				g.Go(func() error { out[i] = task(x); return nil })
			}
			g.Wait()
			return out
		}, func() {}
	}},
}

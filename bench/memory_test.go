package bench

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alitto/pond/v2"
	"github.com/panjf2000/ants/v2"
	"github.com/poolgen/poolgen/runtime/pool"
	concpool "github.com/sourcegraph/conc/pool"
	"golang.org/x/sync/errgroup"
)

// memoryTasks and memoryWorkers size Memory: 1M submissions to 64 workers.
const (
	memoryTasks   = 1_000_000
	memoryWorkers = 64
)

// A memoryContender submits n calls of task, counting in accepted each
// submission that returned, keeps what its API needs to wait for them (in a
// slice that grows as they come, so that the bytes counted are those of the
// tasks accepted), and returns once every task has run. Submissions that block (backpressure) only
// go on once the tasks are released.
type memoryContender struct {
	impl string
	run  func(n int, task func(), accepted *atomic.Int64)
}

var memoryContenders = []memoryContender{
	// The baseline's channel holds 1024 tasks; Go blocks past that.
	{"channel-pool", func(n int, task func(), accepted *atomic.Int64) {
		c := NewChannelPool(memoryWorkers, 1024)
		var results []chan struct{}
		for range n {
			res := make(chan struct{}, 1)
			c.Go(func() { task(); res <- struct{}{} })
			results = append(results, res)
			accepted.Add(1)
		}
		for _, res := range results {
			<-res
		}
		c.Close()
	}},
	// poolgen with its default, unbounded queue, and a cancellable ctx as a
	// request handler would pass.
	{"poolgen-submit", func(n int, task func(), accepted *atomic.Int64) {
		poolgenSubmitAll(n, task, accepted)
	}},
	// poolgen with QueueSize(1024): Submit waits, on its ctx, while 1024 wait.
	{"poolgen-bounded", func(n int, task func(), accepted *atomic.Int64) {
		poolgenSubmitAll(n, task, accepted, pool.QueueSize(1024))
	}},
	{"ants", func(n int, task func(), accepted *atomic.Int64) {
		ap, _ := ants.NewPool(memoryWorkers)
		var wg sync.WaitGroup
		wg.Add(n)
		for range n {
			ap.Submit(func() { task(); wg.Done() })
			accepted.Add(1)
		}
		wg.Wait()
		ap.Release()
	}},
	{"pond", func(n int, task func(), accepted *atomic.Int64) {
		pp := pond.NewPool(memoryWorkers)
		var ts []pond.Task
		for range n {
			ts = append(ts, pp.Submit(task))
			accepted.Add(1)
		}
		for _, t := range ts {
			t.Wait()
		}
		pp.StopAndWait()
	}},
	{"conc-pool", func(n int, task func(), accepted *atomic.Int64) {
		p := concpool.New().WithMaxGoroutines(memoryWorkers)
		for range n {
			p.Go(task)
			accepted.Add(1)
		}
		p.Wait()
	}},
	{"errgroup", func(n int, task func(), accepted *atomic.Int64) {
		var g errgroup.Group
		g.SetLimit(memoryWorkers)
		for range n {
			g.Go(func() error { task(); return nil })
			accepted.Add(1)
		}
		g.Wait()
	}},
}

// poolgenSubmitAll is the poolgen contender of Memory: Submit every task with a
// cancellable ctx, keep the Futures, Get them all.
func poolgenSubmitAll(n int, task func(), accepted *atomic.Int64, opts ...pool.Option) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := pool.New(ctx, append(opts, pool.Workers(memoryWorkers))...)
	var fs []*pool.Future[struct{}]
	for range n {
		fs = append(fs, pool.Submit(ctx, p, func(context.Context) (struct{}, error) { task(); return struct{}{}, nil }))
		accepted.Add(1)
	}
	for _, f := range fs {
		f.Get(ctx)
	}
	p.Close(ctx)
}

// BenchmarkMemory submits 1M tasks that block until released to 64 workers.
// Once submissions have all returned, or have stalled because Submit blocks,
// it weighs the heap and the stacks (after a GC) against before, and reports
// the bytes per accepted task, how many were accepted before the tasks were
// released, and backpressure: 1 when Submit blocked.
func BenchmarkMemory(b *testing.B) {
	for _, c := range memoryContenders {
		b.Run("impl="+c.impl, func(b *testing.B) {
			var perTask, accepted float64
			var blocked bool
			for range b.N {
				bytes, n := memoryOnce(c)
				perTask += bytes / float64(n)
				accepted += float64(n)
				blocked = n < memoryTasks
			}
			b.ReportMetric(perTask/float64(b.N), "B/task")
			b.ReportMetric(accepted/float64(b.N), "accepted")
			b.ReportMetric(boolMetric(blocked), "backpressure")
		})
	}
}

// memoryOnce runs c once and returns the bytes in use while its submissions
// stood still, above what was in use before, and how many had been accepted.
func memoryOnce(c memoryContender) (bytes float64, accepted int64) {
	before := inUse()
	release := make(chan struct{})
	var n atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.run(memoryTasks, func() { <-release }, &n)
	}()
	for last := int64(-1); ; {
		time.Sleep(20 * time.Millisecond)
		cur := n.Load()
		if cur == memoryTasks || cur == last {
			break
		}
		last = cur
	}
	after := inUse()
	accepted = n.Load()
	close(release)
	<-done
	return float64(after) - float64(before), accepted
}

// inUse runs a GC and returns the bytes of live heap objects and of goroutine
// stacks.
func inUse() uint64 {
	m := afterGC()
	return m.HeapAlloc + m.StackInuse
}

func boolMetric(v bool) float64 {
	if v {
		return 1
	}
	return 0
}

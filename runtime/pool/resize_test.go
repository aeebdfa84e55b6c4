package pool

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestResizeGrowingStartsWorkersAtOnce(t *testing.T) {
	p := newPool(t, Workers(1))
	ctx := context.Background()
	release := make(chan struct{})
	defer close(release)
	for range 4 {
		Submit(ctx, p, hang(release, 0))
	}
	eventually(t, "one running, three queued", func() bool { s := p.Stats(); return s.Running == 1 && s.Queued == 3 })
	p.Resize(4)
	eventually(t, "four running", func() bool { s := p.Stats(); return s.Running == 4 && s.Queued == 0 })
}

// gauge counts the tasks inside fn and checks a bound on it at each start.
type gauge struct {
	in    atomic.Int64
	limit atomic.Int64 // 0: none
	t     *testing.T
}

func (g *gauge) enter() {
	if n, limit := g.in.Add(1), g.limit.Load(); limit > 0 && n > limit {
		g.t.Errorf("a task started with %d running, over the bound of %d", n, limit)
	}
}

func (g *gauge) leave() { g.in.Add(-1) }

func TestResizeShrinkingLetsRunningTasksFinishAndStartsNoneBeyondN(t *testing.T) {
	var cs conns
	l := cs.local()
	p := New(context.Background(), Workers(4))
	ctx := context.Background()
	g := &gauge{t: t}
	gate := make(chan struct{})
	task := func(ctx context.Context) (int, error) {
		g.enter()
		defer g.leave()
		if _, err := l.Get(ctx); err != nil {
			return 0, err
		}
		<-gate
		return 1, nil
	}
	var fs []*Future[int]
	for range 4 {
		fs = append(fs, Submit(ctx, p, task))
	}
	eventually(t, "four running", func() bool { return g.in.Load() == 4 })
	p.Resize(1)
	g.limit.Store(1) // every task started from now on runs alone
	for range 8 {
		fs = append(fs, Submit(ctx, p, task))
	}
	for range len(fs) {
		gate <- struct{}{}
	}
	for _, f := range fs {
		if _, err := f.GetWithin(5 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	// The three workers beyond 1 have exited, closing their values.
	eventually(t, "three values closed", func() bool {
		n := 0
		for _, c := range cs.made() {
			n += int(c.closed.Load())
		}
		return n == 3
	})
	if s := p.Stats(); s.Done != 12 || s.Running != 0 || s.Queued != 0 {
		t.Errorf("stats %+v, want 12 done", s)
	}
	cs.closeAndCount(t, p)
}

func TestResizeShrinkingHandsMapAndStreamLoopsOver(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(map[bool]string{false: "Map", true: "Stream"}[stream], func(t *testing.T) { testResizeHandsOver(t, stream) })
	}
}

func testResizeHandsOver(t *testing.T, stream bool) {
	p := newPool(t, Workers(4))
	ctx := context.Background()
	g := &gauge{t: t}
	gate := make(chan struct{})
	fn := func(ctx context.Context, i int) (int, error) {
		g.enter()
		defer g.leave()
		<-gate
		return i, nil
	}
	in := make([]int, 40)
	done := make(chan error, 1)
	go func() {
		if stream {
			for _, err := range Stream(ctx, p, slices.Values(in), fn) {
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
			return
		}
		_, err := Map(ctx, p, in, fn)
		done <- err
	}()
	eventually(t, "four loops inside fn", func() bool { return g.in.Load() == 4 })
	p.Resize(1)
	// The four inputs running finish; the first three loops to finish
	// hand over, and every input after runs alone.
	for range 4 {
		gate <- struct{}{}
	}
	eventually(t, "one input inside fn", func() bool { return g.in.Load() == 1 })
	g.limit.Store(1)
	for range len(in) - 4 {
		gate <- struct{}{}
	}
	if err := <-done; err != nil {
		t.Fatalf("stream %v: %v", stream, err)
	}
	// A Stream's loops count their inputs in batches, the last as they return.
	eventually(t, fmt.Sprint(len(in), " done"), func() bool { return p.Stats() == Stats{Done: len(in)} })
}

func TestResizeBelowOneMeansOneAndAfterCloseDoesNothing(t *testing.T) {
	p := New(context.Background(), Workers(3))
	p.Resize(0)
	g := &gauge{t: t}
	g.limit.Store(1)
	ctx := context.Background()
	if _, err := Map(ctx, p, make([]int, 100), func(context.Context, int) (int, error) {
		g.enter()
		defer g.leave()
		return 0, nil
	}); err != nil {
		t.Fatal(err)
	}
	closeQuiet(t, p)
	p.Resize(8)
	if _, err := Submit(ctx, p, func(context.Context) (int, error) { return 0, nil }).GetWithin(time.Second); err != ErrClosed {
		t.Fatalf("Submit after Close and Resize: %v, want ErrClosed", err)
	}
	goleak.VerifyNone(t)
}

func TestResizeUnderLoadKeepsStatsExactAndClosesEveryValue(t *testing.T) {
	var cs conns
	l := cs.local()
	p := New(context.Background(), Workers(4))
	ctx := context.Background()
	use := func(ctx context.Context, _ int) (int, error) {
		c, err := l.Get(ctx)
		if err != nil {
			return 0, err
		}
		c.use(t)
		return 0, nil
	}
	const tasks, inputs = 300, 3000
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				p.Resize(rand.IntN(6))
				runtime.Gosched()
			}
		}
	})
	var load sync.WaitGroup
	load.Go(func() {
		var fs []*Future[int]
		for i := range tasks {
			fs = append(fs, Submit(ctx, p, func(ctx context.Context) (int, error) { return use(ctx, i) }))
		}
		for _, f := range fs {
			if _, err := f.GetWithin(10 * time.Second); err != nil {
				t.Errorf("Submit: %v", err)
			}
		}
	})
	load.Go(func() {
		if _, err := Map(ctx, p, make([]int, inputs), use); err != nil {
			t.Errorf("Map: %v", err)
		}
	})
	load.Go(func() {
		for _, err := range Stream(ctx, p, slices.Values(make([]int, inputs)), use) {
			if err != nil {
				t.Errorf("Stream: %v", err)
			}
		}
	})
	load.Wait()
	close(stop)
	wg.Wait()
	want := Stats{Done: tasks + 2*inputs}
	// A Stream's loops count their inputs in batches, the last as they return.
	eventually(t, fmt.Sprintf("stats %+v", want), func() bool { return p.Stats() == want })
	cs.closeAndCount(t, p)
}

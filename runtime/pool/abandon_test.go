package pool

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// withAbandonGrace replaces the 50ms a task may take to return after its
// waiter was released before Stats counts it as Abandoned.
func withAbandonGrace(d time.Duration) Option {
	return func(c *config) { c.abandonGrace = d }
}

// awaitAbandoned waits until Stats counts n abandoned tasks: a task that
// ignores its ctx is counted once it has run the grace past its release.
func awaitAbandoned(t *testing.T, p *Pool, n int) {
	t.Helper()
	eventually(t, fmt.Sprintf("%d tasks counted abandoned", n), func() bool { return p.Stats().Abandoned == n })
}

// watching is a task body that waits for its ctx and returns its error, as a
// well-behaved task does.
func watching(ctx context.Context, _ int) (int, error) {
	<-ctx.Done()
	return 0, ctx.Err()
}

// Tasks that return once their ctx ends are not abandoned, however their
// waiter was released. The grace is long here so that a loaded machine, slow
// to run a task that saw its ctx end, cannot make the test fail; Close
// returning nil means every task has returned, so the count is final.
func TestTasksThatWatchTheirCtxAreNotAbandoned(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(*Pool)
	}{
		{"TaskTimeout", func(p *Pool) { // the case: 8 tasks
			var fs []*Future[int]
			for range 8 {
				fs = append(fs, Submit(context.Background(), p, func(ctx context.Context) (int, error) { return watching(ctx, 0) }))
			}
			for _, f := range fs {
				f.Get(context.Background())
			}
		}},
		{"Cancel", func(p *Pool) {
			started := make(chan struct{})
			f := Submit(context.Background(), p, func(ctx context.Context) (int, error) { close(started); return watching(ctx, 0) })
			<-started
			f.Cancel()
		}},
		{"Map", func(p *Pool) {
			ctx, cancel := context.WithCancel(context.Background())
			var once sync.Once
			Map(ctx, p, ints(100), func(ctx context.Context, x int) (int, error) {
				once.Do(cancel)
				return watching(ctx, x)
			})
		}},
		{"Stream", func(p *Pool) {
			ctx, cancel := context.WithCancel(context.Background())
			var once sync.Once
			for range Stream(ctx, p, count(100), func(ctx context.Context, x int) (int, error) {
				once.Do(cancel)
				return watching(ctx, x)
			}) {
			}
		}},
		{"Map TaskTimeout", func(p *Pool) {
			Map(context.Background(), p, ints(8), watching, CollectErrors())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := New(context.Background(), Workers(8), TaskTimeout(10*time.Millisecond), withAbandonGrace(time.Minute))
			tc.run(p)
			closeQuiet(t, p)
			if s := p.Stats(); s.Abandoned != 0 {
				t.Fatalf("Stats = %+v; want none abandoned", s)
			}
		})
	}
}

// Tasks that ignore their ctx are counted as abandoned once the grace has
// passed, whether they are still running then or return later; and once only.
func TestTasksThatIgnoreTheirCtxAreAbandoned(t *testing.T) {
	t.Run("still running", func(t *testing.T) {
		p := newPool(t, Workers(2), TaskTimeout(10*time.Millisecond))
		release := make(chan struct{})
		free := sync.OnceFunc(func() { close(release) })
		defer free()
		for range 3 {
			Submit(context.Background(), p, hang(release, 0))
		}
		awaitAbandoned(t, p, 3)
		free()
		closeQuiet(t, p)
		if s := p.Stats(); s.Abandoned != 3 || s.Failed != 3 {
			t.Fatalf("Stats = %+v; want 3 failed and abandoned", s)
		}
	})
	t.Run("returned after the grace", func(t *testing.T) {
		const grace = time.Millisecond
		p := newPool(t, Workers(1), withAbandonGrace(grace))
		release := make(chan struct{})
		free := sync.OnceFunc(func() { close(release) })
		defer free()
		f := Submit(context.Background(), p, hang(release, 0))
		eventually(t, "the task running", func() bool { return p.Stats().Running == 1 })
		f.Cancel()
		// The condition is time itself: the task has run past the grace once
		// it has passed since Cancel returned. No Stats call until it returns.
		time.Sleep(2 * grace)
		free()
		closeQuiet(t, p)
		if s := p.Stats(); s.Abandoned != 1 || s.Canceled != 1 {
			t.Fatalf("Stats = %+v; want 1 canceled and abandoned", s)
		}
	})
}

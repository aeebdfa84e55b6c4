package pool

// Map's promise that finished work is never thrown away, when it ends early
// while loops hold staged results.

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// Map's hot loop stages results a block at a time; when Map's ctx ends while one
// input of a large chunk ignores its ctx, finish must still keep every input of
// that chunk that already returned, but for those of the hanging input's block.
func TestMapKeepsFinishedResultsOfALargeChunkOnCancel(t *testing.T) {
	p := newPool(t, Workers(2))
	const n, stuck = 40_000, 30_000 // chunks reach chunkMax long before stuck; few enough for a loaded machine
	finished := make([]atomic.Bool, n)
	release := make(chan struct{})
	defer close(release)
	stuckNow := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		out []int
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := Map(ctx, p, ints(n), func(_ context.Context, x int) (int, error) {
			if x == stuck {
				close(stuckNow)
				<-release // ignores its ctx
			}
			finished[x].Store(true)
			return x + 1, nil
		})
		done <- result{out, err}
	}()
	within(t, "the stuck input", stuckNow)
	// Wait until the other loop has run every input it could claim: it has
	// returned, and its worker waits for work.
	eventually(t, "the other loop to run out of inputs", func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.idle.Load() == 1
	})
	snap := make([]bool, n)
	for i := range snap {
		snap[i] = finished[i].Load()
	}
	cancel()
	var r result
	select {
	case r = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Map did not return on cancel")
	}
	if !errors.Is(r.err, context.Canceled) {
		t.Fatalf("Map err = %v; want context.Canceled", r.err)
	}
	for i, fin := range snap {
		if fin && r.out[i] != i+1 && !inHangingBlock(i, stuck) {
			t.Fatalf("input %d had returned before the cancel but Map returned zero for it (the stuck input is %d)", i, stuck)
		}
	}
}

// The same when another input fails: the other loop, which is not stuck, has its
// block waited for.
func TestMapKeepsFinishedResultsOfALargeChunkOnFailFast(t *testing.T) {
	p := newPool(t, Workers(2))
	const n, stuck, bad = 40_000, 20_000, 38_000
	finished := make([]atomic.Bool, n)
	release := make(chan struct{})
	defer close(release)
	stuckNow := make(chan struct{})
	boom := errors.New("boom")
	out, err := Map(context.Background(), p, ints(n), func(_ context.Context, x int) (int, error) {
		switch x {
		case stuck:
			close(stuckNow)
			<-release // ignores its ctx
		case bad:
			select {
			case <-stuckNow:
			case <-time.After(5 * time.Second):
			}
			return 0, boom
		}
		finished[x].Store(true)
		return x + 1, nil
	})
	var te *TaskError
	if !errors.As(err, &te) || te.Index != bad {
		t.Fatalf("Map err = %v; want *TaskError for input %d", err, bad)
	}
	for i := range out {
		if finished[i].Load() && out[i] != i+1 && !inHangingBlock(i, stuck) {
			t.Fatalf("input %d had returned before Map did, yet Map returned zero for it (the stuck input is %d)", i, stuck)
		}
	}
}

// inHangingBlock reports whether input i may be lost by the one documented
// exception to "finished work is never thrown away": a fast input staged in the
// same block as the later input stuck, which hangs ignoring its ctx.
func inHangingBlock(i, stuck int) bool { return stuck-stageBlock < i && i < stuck }

package pool

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestMapPartialErrorTellsFinishedFromZeroValuesAfterCancel(t *testing.T) {
	p := newPool(t, Workers(2))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var blocked atomic.Int32
	isEven := func(ctx context.Context, i int) (bool, error) {
		if i >= 5 { // the two loops block here until the cancel
			if blocked.Add(1) == 2 {
				cancel()
			}
			<-ctx.Done()
			return false, ctx.Err()
		}
		return i%2 == 0, nil
	}
	// Timeout: one input at a time, published as it returns.
	out, err := Map(ctx, p, ints(10), isEven, Timeout(time.Minute))
	var pe *PartialError
	if !errors.As(err, &pe) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want a *PartialError wrapping context.Canceled", err)
	}
	for i, v := range out {
		if finished := i < 5; pe.Finished(i) != finished {
			t.Errorf("Finished(%d) = %v, want %v (result %v)", i, pe.Finished(i), finished, v)
		}
	}
	if out[1] || !pe.Finished(1) || out[5] || pe.Finished(5) {
		t.Errorf("out %v: a false result and a zero value must be told apart", out)
	}
	if pe.Finished(-1) || pe.Finished(10) {
		t.Error("Finished outside the inputs")
	}
}

// checkPartial checks that pe says finished exactly of the inputs whose
// result is in out (f(i)), and that the pool counted as many done.
func checkPartial(t *testing.T, p *Pool, out []int, pe *PartialError, f func(int) int) {
	t.Helper()
	finished := 0
	for i, v := range out {
		switch {
		case pe.Finished(i) && v != f(i):
			t.Fatalf("input %d finished with %d, want %d", i, v, f(i))
		case !pe.Finished(i) && v != 0:
			t.Fatalf("input %d not finished, holds %d", i, v)
		case pe.Finished(i):
			finished++
		}
	}
	if s := p.Stats(); s.Done != finished {
		t.Fatalf("%d inputs finished, the pool counted %d done", finished, s.Done)
	}
	if finished == 0 || finished == len(out) {
		t.Fatalf("%d of %d finished: the test wants some of each", finished, len(out))
	}
}

func TestMapPartialErrorMatchesTheResultsOfFastInputs(t *testing.T) {
	const n, failAt = 200_000, 150_000
	f := func(i int) int { return i % 3 } // a third of the results are 0
	for _, cancelled := range []bool{false, true} {
		p := New(context.Background(), Workers(2))
		ctx, cancel := context.WithCancel(context.Background())
		out, err := Map(ctx, p, ints(n), func(ctx context.Context, i int) (int, error) {
			if i == failAt {
				if cancelled {
					cancel()
					return 0, ctx.Err()
				}
				return 0, errors.New("fail")
			}
			return f(i), nil
		})
		cancel()
		var pe *PartialError
		if !errors.As(err, &pe) {
			t.Fatalf("cancelled %v: err = %v; want a *PartialError", cancelled, err)
		}
		var te *TaskError
		if !cancelled && (!errors.As(err, &te) || te.Index != failAt || pe.Finished(failAt)) {
			t.Fatalf("err = %v; want the *TaskError of input %d, not finished", err, failAt)
		}
		checkPartial(t, p, out, pe, f)
		closeQuiet(t, p)
	}
}

func TestMapWithoutEarlyReturnHasNoPartialError(t *testing.T) {
	p := newPool(t, Workers(2))
	_, err := Map(context.Background(), p, ints(100), func(_ context.Context, i int) (int, error) {
		if i%10 == 0 {
			return 0, errors.New("fail")
		}
		return i, nil
	}, CollectErrors())
	var pe *PartialError
	if err == nil || errors.As(err, &pe) {
		t.Fatalf("err = %v; want the errors.Join of every *TaskError, no *PartialError: every input ran", err)
	}
}

// With CollectErrors, the inputs that failed before a cancel ended Map are in
// the PartialError's Failures, in input order: in process mode too.
func TestMapPartialErrorKeepsTheFailuresBeforeACancel(t *testing.T) {
	for _, mode := range []struct {
		name string
		pool func(t *testing.T, opts ...Option) *Pool
		run  func(t *testing.T, ctx context.Context, p *Pool) error
	}{
		{"Map", newPool, func(t *testing.T, ctx context.Context, p *Pool) error {
			// Map publishes a failure as it comes, and the results of fast
			// inputs a block at a time: Stats tell when the failures are in.
			ready := func(int64) bool { return p.Stats().Failed == failing }
			return mapThenCancel(t, ctx, ready, func(ctx context.Context, progress MapOption) error {
				_, err := Map(ctx, p, ints(n), func(ctx context.Context, i int) (int, error) {
					return failArgOf(i).run(ctx)
				}, CollectErrors(), progress)
				return err
			})
		}},
		{"ProcessFunc.Map", processPool, func(t *testing.T, ctx context.Context, p *Pool) error {
			// ProcessFunc.Map counts in Stats a batch at a time, and reports
			// each outcome to Progress as it comes.
			ready := func(finished int64) bool { return finished == 30 }
			return mapThenCancel(t, ctx, ready, func(ctx context.Context, progress MapOption) error {
				in := make([]failArg, n)
				for i := range in {
					in[i] = failArgOf(i)
				}
				_, err := procFail.Map(ctx, p, in, CollectErrors(), progress)
				return err
			})
		}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			err := mode.run(t, context.Background(), mode.pool(t, Workers(2)))
			var pe *PartialError
			if !errors.As(err, &pe) || !errors.Is(err, context.Canceled) {
				t.Fatalf("%s: err = %v; want a PartialError of the cancel", mode.name, err)
			}
			if len(pe.Failures) != failing {
				t.Fatalf("%s: %d failures kept; want %d", mode.name, len(pe.Failures), failing)
			}
			for k, f := range pe.Failures {
				if f.Index != 2*k || f.Err == nil || pe.Finished(f.Index) {
					t.Fatalf("%s: failure %d = input %d (%v, finished %v); want input %d, not finished", mode.name, k, f.Index, f.Err, pe.Finished(f.Index), 2*k)
				}
			}
		})
	}
}

const n, failing = 40, 10 // inputs 0, 2, ..., 18 fail; 30 and up wait for the cancel

// failArgOf says what input i of TestMapPartialErrorKeepsTheFailuresBeforeACancel does.
func failArgOf(i int) failArg { return failArg{Fail: i < 2*failing && i%2 == 0, Wait: i >= 30} }

// mapThenCancel runs mapFn and cancels its ctx once ready says so, given the
// inputs finished as Progress last told; it returns mapFn's error.
func mapThenCancel(t *testing.T, ctx context.Context, ready func(finished int64) bool, mapFn func(context.Context, MapOption) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var finished atomic.Int64
	progress := Progress(func(done, _ int) { finished.Store(int64(done)) })
	var err error
	done := make(chan struct{})
	go func() { defer close(done); err = mapFn(ctx, progress) }()
	eventually(t, "the failures in", func() bool { return ready(finished.Load()) })
	cancel()
	within(t, "Map after the cancel", done)
	return err
}

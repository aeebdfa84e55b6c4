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

package pool

import (
	"context"
	"errors"
	"testing"
)

// A cancel error says "context canceled" once, then the cause, whether the
// call's ctx or the pool's ended it, and whether fn returns its ctx's error or
// ignores its ctx.
func TestCancelErrorSaysItOnce(t *testing.T) {
	const want = "context canceled: pool: interrupted"
	for _, tc := range []struct {
		name     string
		poolCtx  bool // the pool's ctx is the one cancelled, as with InterruptContext
		callCtx  bool // the call's ctx is the one cancelled
		ignoring bool // fn ignores its ctx
	}{
		{"call ctx", false, true, false},
		{"call ctx, fn ignores it", false, true, true},
		{"pool ctx", true, false, false},
		{"pool ctx, fn ignores it", true, false, true},
		{"both", true, true, false},
		{"both, fn ignores it", true, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, call := range []string{"Map", "Submit", "Stream"} {
				err := cancelledCall(t, call, tc.poolCtx, tc.callCtx, tc.ignoring)
				if err == nil || err.Error() != want || !errors.Is(err, context.Canceled) || !errors.Is(err, ErrInterrupted) {
					t.Errorf("%s: err = %v; want %q, errors.Is context.Canceled and ErrInterrupted", call, err, want)
				}
			}
		})
	}
}

// cancelledCall runs call (Map, Submit or Stream) over inputs that wait, cancels
// with cause ErrInterrupted the pool's ctx, the call's ctx or both once an
// input has started, and returns the call's error.
func cancelledCall(t *testing.T, call string, poolCtx, callCtx, ignoring bool) error {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	pctx, cctx := context.Background(), context.Background()
	if poolCtx {
		pctx = ctx
	}
	if callCtx {
		cctx = ctx
	}
	p := New(pctx, Workers(2))
	defer closeQuiet(t, p)
	release := make(chan struct{})
	defer close(release)
	started := make(chan struct{}, 100)
	fn := func(ctx context.Context, _ int) (int, error) {
		started <- struct{}{}
		if ignoring {
			<-release
			return 0, nil
		}
		<-ctx.Done()
		return 0, ctx.Err()
	}
	go func() {
		<-started
		cancel(ErrInterrupted)
	}()
	switch call {
	case "Map":
		_, err := Map(cctx, p, ints(100), fn)
		return err
	case "Submit":
		_, err := Submit(cctx, p, func(ctx context.Context) (int, error) { return fn(ctx, 0) }).Get(context.Background())
		return err
	}
	for _, err := range Stream(cctx, p, count(100), fn) {
		if err != nil {
			return err
		}
	}
	return nil
}

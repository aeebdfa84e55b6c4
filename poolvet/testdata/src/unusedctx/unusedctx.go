// Package unusedctx: a ctx the worker never uses, reported only when the body
// shows it may run long.
package unusedctx

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/poolgen/poolgen/runtime/pool"
)

//poolgen:worker
func Collatz(ctx context.Context, n int) int { // want `ctx is never used, yet this worker loops with no counter to bound it: nothing can interrupt it; pass ctx to what it calls \(or check ctx.Err\(\) in its loops\)`
	steps := 0
	for n > 1 {
		if n%2 == 0 {
			n /= 2
		} else {
			n = 3*n + 1
		}
		steps++
	}
	return steps
}

// Sum loops over its input, which bounds it: no report.
//
//poolgen:worker
func Sum(ctx context.Context, xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	for i := 0; i < len(xs); i++ {
		s += xs[i]
	}
	return s
}

// SpinOK checks its ctx in the loop.
//
//poolgen:worker
func SpinOK(ctx context.Context, n int) (int, error) {
	s := 0
	for i := range n {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		s += i
	}
	return s, nil
}

func slow(ctx context.Context, n int) error { return ctx.Err() }

//poolgen:worker
func Background(ctx context.Context, n int) error { // want `ctx is never used, yet this worker calls unusedctx.slow, which takes a context, without its own`
	return slow(context.Background(), n)
}

// Quick computes and returns: nothing to interrupt, no report, even though
// it calls other code.
//
//poolgen:worker
func Quick(ctx context.Context, s string) (string, error) {
	if s == "" {
		return "", errors.New("empty")
	}
	return fmt.Sprintf("%s!", strings.ToUpper(helper(s))), nil
}

func helper(s string) string { return s }

func literals(ctx context.Context, p *pool.Pool) {
	pool.Submit(ctx, p, func(context.Context) (int, error) { // want `this worker discards its context.Context, yet it loops with no counter to bound it: nothing can interrupt it; name the parameter ctx`
		for {
		}
	})
	pool.Map(ctx, p, []int{1}, func(_ context.Context, x int) (int, error) { // want `this worker discards its context.Context, yet it loops`
		for x != 1 {
			x = x / 2
		}
		return x, nil
	})
	pool.Map(ctx, p, []int{1}, func(_ context.Context, x int) (int, error) {
		return x * x, nil
	})
	// A loop in a goroutine the worker starts counts too.
	pool.Submit(ctx, p, func(ctx context.Context) (int, error) { // want `ctx is never used, yet this worker loops with no counter`
		go func() {
			for {
			}
		}()
		return 0, nil
	})
	// A use in a nested literal is a use.
	pool.Submit(ctx, p, func(ctx context.Context) (int, error) {
		check := func() error { return ctx.Err() }
		for range 10 {
			if err := check(); err != nil {
				return 0, err
			}
		}
		return 0, nil
	})
}

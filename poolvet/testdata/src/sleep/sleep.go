// Package sleep: time.Sleep in every kind of worker, and the select that
// replaces it.
package sleep

import (
	"context"
	"slices"
	"time"

	"github.com/poolgen/poolgen/runtime/pool"
)

//poolgen:worker
func Napper(ctx context.Context, d time.Duration) error {
	time.Sleep(d) // want `time.Sleep cannot be interrupted and ctx cannot stop it: wait with t := time.NewTimer\(d\); select { case <-ctx.Done\(\)`
	return ctx.Err()
}

// Patient waits the way poolvet suggests.
//
//poolgen:worker
func Patient(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	select {
	case <-ctx.Done():
		t.Stop()
		return ctx.Err()
	case <-t.C:
	}
	return nil
}

// NotAWorker may sleep: no pool runs it.
func NotAWorker() { time.Sleep(time.Second) }

func literals(ctx context.Context, p *pool.Pool) {
	pool.Submit(ctx, p, func(c context.Context) (int, error) {
		time.Sleep(time.Second) // want `time.Sleep cannot be interrupted and c cannot stop it: .*case <-c.Done\(\)`
		return 0, c.Err()
	})
	pool.Map(ctx, p, []int{1}, func(ctx context.Context, x int) (int, error) {
		time.Sleep(time.Duration(x)) // want `time.Sleep`
		return x, ctx.Err()
	})
	pool.Stream(ctx, p, slices.Values([]int{1}), (func(ctx context.Context, x int) (int, error) {
		time.Sleep(time.Duration(x)) // want `time.Sleep`
		return x, ctx.Err()
	}))
	// Not a worker: the literal is not pool.Submit's fn.
	run(func() { time.Sleep(time.Second) })
}

func run(f func()) { f() }

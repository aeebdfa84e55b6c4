// Package ignore: //poolvet:ignore with and without a reason.
package ignore

import (
	"context"
	"time"
)

//poolgen:worker
func Ignored(ctx context.Context) error {
	//poolvet:ignore the demo sleeps on purpose
	time.Sleep(time.Second)
	time.Sleep(time.Second) // want `time.Sleep`
	// want +1 `//poolvet:ignore needs a reason, as in //poolvet:ignore the loop ends within a millisecond: without one it silences nothing`
	//poolvet:ignore
	time.Sleep(time.Second) // want `time.Sleep`
	//poolvet:ignored is not the directive
	time.Sleep(time.Second) // want `time.Sleep`
	time.Sleep(time.Second) /* want `time.Sleep` `//poolvet:ignore silences the line below it: put it on a line of its own, above the report` */ //poolvet:ignore on the wrong line
	time.Sleep(time.Second) // want `time.Sleep`
	return ctx.Err()
}

// The unused-ctx report sits on the ctx param; the comment goes above it.
//
//poolgen:worker
//poolvet:ignore halving ends within 64 steps
func Loop(ctx context.Context, n uint64) int {
	steps := 0
	for n > 0 {
		n /= 2
		steps++
	}
	return steps
}

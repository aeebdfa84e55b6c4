// Package depth: which nested code poolvet looks at.
package depth

import (
	"context"
	"sort"
	"time"
)

//poolgen:worker
func Nested(ctx context.Context, xs []int, ch chan int) error {
	func() {
		time.Sleep(time.Second) // want `time.Sleep`
	}()
	defer func() {
		ch <- 1 // want `channel send`
	}()
	defer time.Sleep(time.Second) // want `time.Sleep`
	// Started with go: runs elsewhere, not reported.
	go func() {
		time.Sleep(time.Second)
		ch <- 1
	}()
	// Its operands are evaluated here, though.
	go consume(<-ch) // want `channel receive`
	// Passed to another function or stored: not reported.
	sort.Slice(xs, func(i, j int) bool {
		time.Sleep(time.Nanosecond)
		return xs[i] < xs[j]
	})
	later := func() { <-ch }
	_ = later
	return ctx.Err()
}

func consume(int) {}

// Not a worker: the same code is not reported.
func plain(ch chan int) {
	time.Sleep(time.Second)
	ch <- 1
}

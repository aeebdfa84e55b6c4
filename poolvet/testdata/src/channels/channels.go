// Package channels: sends, receives, ranges and selects, guarded or not.
package channels

import (
	"context"
	"time"

	"github.com/poolgen/poolgen/runtime/pool"
)

//poolgen:worker
func Bare(ctx context.Context, in <-chan int, out chan<- int) error {
	v := <-in           // want `channel receive outside a select waits until a sender is ready and ctx cannot stop it: receive in a select with a case <-ctx.Done\(\) \(or a default\)`
	out <- v            // want `channel send outside a select waits until a receiver is ready and ctx cannot stop it: send in a select with a case <-ctx.Done\(\) \(or a default\)`
	for v := range in { // want `range over a channel waits for each value until the channel is closed and ctx cannot stop it: loop over a select with a case <-ctx.Done\(\)`
		_ = v
	}
	select { // want `select without a case <-ctx.Done\(\) or a default waits for its channels alone and ctx cannot stop it: add case <-ctx.Done\(\): return`
	case v := <-in:
		_ = v
	case <-time.After(time.Second):
	}
	select {} // want `select without a case <-ctx.Done\(\)`
}

//poolgen:worker
func Guarded(ctx context.Context, in <-chan int, out chan<- int) error {
	select {
	case v := <-in:
		select {
		case out <- v:
		case <-ctx.Done():
			return ctx.Err()
		}
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case out <- 1:
	default:
	}
	done := ctx.Done()
	for {
		select {
		case v, ok := <-in:
			if !ok {
				return nil
			}
			_ = v
		case <-done:
			return ctx.Err()
		}
	}
}

// Ops in a guarded select's case operands and bodies are still checked.
//
//poolgen:worker
func Inner(ctx context.Context, in <-chan int, out chan chan int) error {
	select {
	case out <- make(chan int, <-in): // want `channel receive outside a select`
	case <-ctx.Done():
		in := <-in // want `channel receive outside a select`
		_ = in
	}
	<-ctx.Done()
	return ctx.Err()
}

// A done channel that is assigned again is not trusted.
//
//poolgen:worker
func Reassigned(ctx context.Context, in <-chan int, other <-chan struct{}) {
	done := ctx.Done()
	done = other
	select { // want `select without a case <-ctx.Done\(\)`
	case <-in:
	case <-done:
	}
}

// The future's Done is not a context's.
func futures(ctx context.Context, p *pool.Pool, f *pool.Future[int]) {
	pool.Submit(ctx, p, func(ctx context.Context) (int, error) {
		<-f.Done() // want `channel receive outside a select`
		return f.Get(ctx)
	})
}

// A send on a local made with a buffer is assumed to have room; one on a
// channel made without one, or assigned again, is not.
func buffered(ctx context.Context, p *pool.Pool, n int) {
	started := make(chan struct{}, n)
	errc := make(chan error, 1)
	unbuffered := make(chan int)
	zero := make(chan int, 0)
	moved := make(chan int, 1)
	moved = unbuffered
	pool.Submit(ctx, p, func(ctx context.Context) (int, error) {
		started <- struct{}{}
		errc <- ctx.Err()
		unbuffered <- 1 // want `channel send outside a select`
		zero <- 1       // want `channel send outside a select`
		moved <- 1      // want `channel send outside a select`
		<-started       // want `channel receive outside a select`
		return 0, nil
	})
}

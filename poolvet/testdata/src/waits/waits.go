// Package waits: sync.WaitGroup.Wait and sync.Cond.Wait.
package waits

import (
	"context"
	"sync"
)

type group struct{ sync.WaitGroup }

//poolgen:worker
func Fan(ctx context.Context, n int) error {
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() { defer wg.Done() }()
	}
	wg.Wait() // want `sync.WaitGroup.Wait cannot be interrupted and ctx cannot stop it: close a channel after Wait in a goroutine and select on it with a case <-ctx.Done\(\), or use errgroup.WithContext`
	var g group
	g.Wait() // want `sync.WaitGroup.Wait`
	return ctx.Err()
}

// The fix poolvet suggests: Wait in a goroutine, select on its channel.
//
//poolgen:worker
func FanOK(ctx context.Context, wg *sync.WaitGroup) error {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

//poolgen:worker
func Signal(ctx context.Context, c *sync.Cond, ready *bool) error {
	c.L.Lock()
	defer c.L.Unlock()
	for !*ready {
		c.Wait() // want `sync.Cond.Wait cannot be interrupted and ctx cannot stop it: signal with a channel instead, and select on it with a case <-ctx.Done\(\)`
	}
	return ctx.Err()
}

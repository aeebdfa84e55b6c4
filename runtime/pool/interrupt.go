package pool

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// InterruptContext returns a copy of parent that the first SIGINT or SIGTERM
// cancels with cause ErrInterrupted (read it with context.Cause), so that work
// stops at once and what finished can still be reported. A second signal exits
// the process with status 130, for when the graceful stop is not quick enough.
// Calling the returned CancelFunc cancels the context and restores the default
// signal behaviour.
func InterruptContext(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	stopped := make(chan struct{})
	go func() {
		interrupted := false
		for {
			select {
			case <-sigs:
				if interrupted {
					fmt.Fprintln(os.Stderr, "pool: interrupted twice, exiting")
					os.Exit(130)
				}
				interrupted = true
				cancel(ErrInterrupted)
			case <-stopped:
				return
			}
		}
	}()
	return ctx, sync.OnceFunc(func() {
		signal.Stop(sigs)
		close(stopped)
		cancel(context.Canceled)
	})
}

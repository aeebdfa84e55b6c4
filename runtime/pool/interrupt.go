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
// cancels with a cause that errors.Is ErrInterrupted (read it with
// context.Cause), an *InterruptError that says which signal came, so that
// work stops at once and what finished can still be reported. A second signal exits
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
			case sig := <-sigs:
				if interrupted {
					fmt.Fprintf(os.Stderr, "pool: interrupted twice (%s), exiting\n", signalName(sig))
					os.Exit(130)
				}
				interrupted = true
				cancel(&InterruptError{Signal: sig})
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

// InterruptError is the cause of a ctx that InterruptContext cancelled: it
// errors.Is ErrInterrupted, and tells SIGINT (os.Interrupt: Ctrl+C) from
// SIGTERM (a service manager's stop).
type InterruptError struct {
	Signal os.Signal // the first signal caught
}

// Error says which signal interrupted the program.
func (e *InterruptError) Error() string {
	return ErrInterrupted.Error() + " by " + signalName(e.Signal)
}

// Unwrap returns ErrInterrupted.
func (e *InterruptError) Unwrap() error { return ErrInterrupted }

// signalName is the name a user knows sig by: SIGINT, SIGTERM.
func signalName(sig os.Signal) string {
	switch sig {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}

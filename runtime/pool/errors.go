package pool

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
)

// ErrClosed resolves a task submitted after Close was called.
var ErrClosed = errors.New("pool: closed")

// ErrInterrupted is what the cause of a context cancelled by the first SIGINT or
// SIGTERM that InterruptContext catches errors.Is; read the cause, an
// *InterruptError naming the signal, with context.Cause.
var ErrInterrupted = errors.New("pool: interrupted")

// PanicError is the error a task resolves with when it panics. The panic never
// reaches the worker or the process: it is delivered to the task's waiter.
type PanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the panicking goroutine's stack, as runtime/debug.Stack prints it
}

// Error returns the panic value and the stack.
func (e *PanicError) Error() string {
	return fmt.Sprintf("pool: task panicked: %v\n\n%s", e.Value, e.Stack)
}

// Unwrap returns the panic value when it is an error, so errors.Is and errors.As
// see through the panic.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// TaskError says which input of Map or Stream failed and why.
type TaskError struct {
	Index int   // the position of the input in the slice or sequence
	Err   error // what the task returned, a *PanicError, or a ctx error
}

// Error names the input and its error.
func (e *TaskError) Error() string { return fmt.Sprintf("pool: input %d: %v", e.Index, e.Err) }

// Unwrap returns the task's error.
func (e *TaskError) Unwrap() error { return e.Err }

// canceledError is how a task resolves when a context ended it: errors.Is matches
// both the ctx error (context.Canceled or context.DeadlineExceeded) and the cause.
type canceledError struct{ err, cause error }

func (e *canceledError) Error() string   { return e.err.Error() + ": " + e.cause.Error() }
func (e *canceledError) Unwrap() []error { return []error{e.err, e.cause} }

// withCause joins a ctx error and its cause, unless the cause adds nothing, or
// says err already (a ctx error with its own cause, from the pool's ctx): then
// the error says "context canceled" once.
func withCause(err, cause error) error {
	if cause == nil || cause == err {
		return err
	}
	if errors.Is(cause, err) {
		return cause
	}
	return &canceledError{err, cause}
}

// ctxError is ctx's error with its cause.
func ctxError(ctx context.Context) error {
	return withCause(ctx.Err(), context.Cause(ctx))
}

// recoverPanic calls fn and returns its panic as a *PanicError.
func recoverPanic(fn func()) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	fn()
	return nil
}

// plural says n things: "1 task", "2 tasks".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

package pool

import (
	"context"
	"errors"
	"fmt"

	"github.com/poolgen/poolgen/runtime/internal/proc"
	"github.com/poolgen/poolgen/runtime/internal/remote"
	"github.com/poolgen/poolgen/runtime/internal/wire"
)

// Process mode runs a task in a child process: the same binary, re-executed,
// which serves tasks from ProcessMain. A goroutine cannot be killed, a process
// can: a task that ignores its ctx (a tight loop, a cgo call) is stopped by
// killing its child.
//
// This file holds its public faces. The engine behind them lives in
// runtime/internal: wire (messages, self-contained values), remote (calls,
// the pipelined jobs of Map and Stream, a worker's server) and proc (the
// child processes).

// ProcessMain must be the first statement of main (and of TestMain) in a
// program with isolate=process workers. In a child process started by a pool
// it serves tasks and never returns: it exits when its parent closes the pipe
// or dies. Anywhere else it returns at once.
//
// It must come first because a child is the whole program started again: what
// main does before ProcessMain, every child does too.
//
// A child runs one call at a time, with GOMAXPROCS=1 unless GOMAXPROCS is set
// in the environment: the pool's parallelism is its children, one core each,
// and a child with one P hands a call from the goroutine that reads it to the
// one that runs it without waking another thread (a round trip takes about a
// tenth less, a pipelined Map call about as much).
//
// In a program that imports package cluster (runtime/cluster), a process
// with POOLGEN_CLUSTER set in its environment is a cluster worker:
// ProcessMain serves tasks from that cluster until SIGINT or SIGTERM, and
// exits.
func ProcessMain() {
	proc.Main(childLocals.close)
	if remote.ClusterMain != nil {
		remote.ClusterMain()
	}
}

// childLocals are the Local values of this process as a child: the child is
// the worker of the calls it runs, one at a time.
var childLocals locals

// RegisterProcess registers fn as the process-mode worker name and returns the
// handle that runs it in a pool's child processes. Code generated for
// //poolgen:worker isolate=process calls it in a package-level var, once per
// worker, with the stable name "importpath.Func" (or "importpath.Type.Method").
//
// Registration must happen during package initialization, in every process:
// a child is the same binary, and it finds fn by name when a task arrives.
// RegisterProcess panics when name is already registered.
//
// A and R travel between processes with encoding/gob, each value on its own
// (any process can decode it): they, and what they hold, must be encodable
// (no chan, func or unsafe.Pointer; structs need exported fields; interface
// values need gob.Register of their dynamic types). A value that gob cannot
// encode fails its call, as does a panic in its GobEncode or GobDecode (a
// *PanicError), or a value that holds a pointer cycle (which gob would follow
// until the stack overflows: it is refused before). It is exported for
// generated code, and usable by hand.
func RegisterProcess[A, R any](name string, fn func(context.Context, A) (R, error)) *ProcessFunc[A, R] {
	remote.Register(name, func(ctx context.Context, arg []byte) ([]byte, error) {
		var a A
		if err := wire.DecodeValue(arg, &a); err != nil {
			return nil, fmt.Errorf("pool: decoding the argument of %s: %w", name, err)
		}
		r, err := fn(&workerCtx{ctx, &childLocals}, a)
		if err != nil {
			return nil, err
		}
		b, err := wire.AppendValue(nil, &r) // through a pointer: R may be an interface type
		if err != nil {
			return nil, fmt.Errorf("pool: encoding the result of %s: %w", name, err)
		}
		return b, nil
	})
	return &ProcessFunc[A, R]{name: name}
}

// A ProcessFunc is a function registered with RegisterProcess: Call runs it in
// a child process of a Pool; Map and Stream run it on many inputs, with
// several calls queued in each child.
type ProcessFunc[A, R any] struct{ name string }

// Name returns the name the function was registered with.
func (f *ProcessFunc[A, R]) Name() string { return f.name }

// Call runs the function with arg in one of p's child processes and returns
// its result. It waits for a free child (at most Workers(n) of them exist,
// each started on first use), then for the result, or until ctx ends,
// whichever is first. A call costs about 20µs more than the function itself.
//
// When ctx ends while the child runs the call, Call returns ctx's error at
// once; the child's ctx is cancelled, and if the call has not returned after
// ProcessGrace the child is killed and a fresh one later takes its place. When
// the child dies while running the call (a panic outside the task's goroutine,
// os.Exit, a fatal signal), Call returns a *WorkerExitError. A panic in the
// function itself is returned as a *PanicError whose Value is the panic value
// as fmt.Sprint prints it. An error the function returns comes back with its
// message, and errors.Is still matches context.Canceled and
// context.DeadlineExceeded; its result is then dropped.
//
// Call is meant to run inside a task of p (generated wrappers call it from
// Submit, Map and Stream); it works from any goroutine.
func (f *ProcessFunc[A, R]) Call(ctx context.Context, p *Pool, arg A) (R, error) {
	var zero R
	b, err := wire.AppendValue(nil, &arg) // through a pointer: A may be an interface type
	if err != nil {
		return zero, remoteErr(ctx, fmt.Errorf("pool: encoding the argument of %s: %w", f.name, err))
	}
	v, err := remote.Call(ctx, p.processes(), f.name, b, 0)
	if err != nil {
		return zero, remoteErr(ctx, err)
	}
	var r R
	if err := wire.DecodeValue(v, &r); err != nil {
		return zero, remoteErr(ctx, fmt.Errorf("pool: decoding the result of %s: %w", f.name, err))
	}
	return r, nil
}

// WorkerExitError is the error of a task whose child process died while
// running it: the task panicked outside its own goroutine, called os.Exit, or
// was killed by a signal. Only that task fails; a fresh child takes the dead
// one's place.
type WorkerExitError struct {
	ExitCode int    // the child's exit status, or 128+n when signal n killed it
	Stderr   string // the tail of what the child wrote on stderr (at most 4 KiB)
	why      string // why the pool killed it, when it did
}

// Error gives the exit status and why the child died: the line of a Go
// crash report that says so ("panic: ...", "fatal error: ..."), or else the
// last lines of stderr.
func (e *WorkerExitError) Error() string {
	return (&proc.ExitError{Code: e.ExitCode, Stderr: e.Stderr, Why: e.why}).Error()
}

// remoteErr is the error of a remote call as this package shows it: the
// engine's errors become PanicError, WorkerExitError, ErrClosed, and the
// ctx's own error keeps its cause.
func remoteErr(ctx context.Context, err error) error {
	var (
		rp *remote.RemotePanic
		wp *wire.Panic
		ee *proc.ExitError
	)
	switch {
	case err == ctx.Err() && err != nil:
		return ctxError(ctx)
	case errors.Is(err, proc.ErrClosed):
		return ErrClosed
	case errors.As(err, &rp):
		return &PanicError{Value: rp.Value, Stack: rp.Stack}
	case errors.As(err, &wp):
		return &shownAs{err.Error(), &PanicError{Value: wp.Value, Stack: wp.Stack}}
	case errors.As(err, &ee):
		return &WorkerExitError{ExitCode: ee.Code, Stderr: ee.Stderr, why: ee.Why}
	}
	return err
}

// shownAs is err with the message of the error it replaces.
type shownAs struct {
	msg string
	err error
}

func (e *shownAs) Error() string { return e.msg }
func (e *shownAs) Unwrap() error { return e.err }

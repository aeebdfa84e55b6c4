package pool

import (
	"context"
	"encoding/gob"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
)

// Process mode runs a task in a child process: the same binary, re-executed,
// which serves tasks from ProcessMain. A goroutine cannot be killed, a process
// can: a task that ignores its ctx (a tight loop, a cgo call) is stopped by
// killing its child.
//
// The parent and a child talk over two pipes (the child's file descriptors 3
// and 4, so that the task's own stdout and stderr stay free) in length-prefixed
// frames; the values in them are encoded with encoding/gob, one gob stream per
// pipe for the child's lifetime, so each type is described once. A child runs
// one task at a time, though ProcessFunc.Map and .Stream queue several in it.
// See process_set.go and process_pipe.go for the parent's side and
// process_child.go for the child's.

// processEnv, in a child's environment, holds its parent's pid; ProcessMain
// serves tasks when it is set.
const processEnv = "POOLGEN_PROCESS_CHILD"

// inChild is true in a child process once ProcessMain has started serving, and
// childWithoutMain true in a child that runs main without having called
// ProcessMain first: it must not start children of its own.
var inChild, childWithoutMain atomic.Bool

func init() {
	// Set before main runs, so that a child whose main forgot ProcessMain
	// refuses to start children (which would forget it too, and so on).
	childWithoutMain.Store(os.Getenv(processEnv) != "")
}

// ProcessMain must be the first statement of main (and of TestMain) in a
// program with isolate=process workers. In a child process started by a pool
// it serves tasks and never returns: it exits when its parent closes the pipe
// or dies. Anywhere else it returns at once.
//
// It must come first because a child is the whole program started again: what
// main does before ProcessMain, every child does too.
func ProcessMain() {
	parent := os.Getenv(processEnv)
	if parent == "" {
		return
	}
	childWithoutMain.Store(false)
	inChild.Store(true)
	os.Unsetenv(processEnv) // a worker's own subprocesses are not children of a pool
	os.Exit(serveChild(parent))
}

// RegisterProcess registers fn as the process-mode worker name and returns the
// handle that runs it in a pool's child processes. Code generated for
// //poolgen:worker isolate=process calls it in a package-level var, once per
// worker, with the stable name "importpath.Func" (or "importpath.Type.Method").
//
// Registration must happen during package initialization, in every process:
// a child is the same binary, and it finds fn by name when a task arrives.
// RegisterProcess panics when name is already registered.
//
// A and R travel between processes with encoding/gob: they, and what they
// hold, must be encodable (no chan, func or unsafe.Pointer; structs need
// exported fields; interface values need gob.Register of their dynamic types).
// It is exported for generated code, and usable by hand.
func RegisterProcess[A, R any](name string, fn func(context.Context, A) (R, error)) *ProcessFunc[A, R] {
	f := &ProcessFunc[A, R]{name: name, fn: fn}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if _, dup := registry.funcs[name]; dup {
		panic(fmt.Sprintf("pool: RegisterProcess: %q is already registered", name))
	}
	registry.funcs[name] = f
	return f
}

// registry maps the names given to RegisterProcess to their functions.
var registry = struct {
	mu    sync.Mutex
	funcs map[string]processEntry
}{funcs: map[string]processEntry{}}

// lookup returns the function registered as name.
func lookup(name string) processEntry {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	return registry.funcs[name]
}

// A ProcessFunc is a function registered with RegisterProcess: Call runs it in
// a child process of a Pool; Map and Stream run it on many inputs, with
// several calls queued in each child.
type ProcessFunc[A, R any] struct {
	name string
	fn   func(context.Context, A) (R, error)
}

// Name returns the name the function was registered with.
func (f *ProcessFunc[A, R]) Name() string { return f.name }

// Call runs the function with arg in one of p's child processes and returns
// its result. It waits for a free child (at most Workers(n) of them exist,
// each started on first use), then for the result, or until ctx ends,
// whichever is first.
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
	var out envelope[R]
	if err := p.processes().run(ctx, f.name, &envelope[A]{arg}, func(dec *gob.Decoder) error { return dec.Decode(&out) }); err != nil {
		var zero R
		return zero, err
	}
	return out.V, nil
}

// decode reads one call's argument and returns the call bound to it; it runs
// in the child.
func (f *ProcessFunc[A, R]) decode(dec *gob.Decoder) (func(context.Context) (any, error), error) {
	var in envelope[A]
	if err := dec.Decode(&in); err != nil {
		return nil, err
	}
	return func(ctx context.Context) (any, error) {
		v, err := f.fn(ctx, in.V)
		return &envelope[R]{v}, err
	}, nil
}

// processEntry is a registered function without its types.
type processEntry interface {
	decode(dec *gob.Decoder) (func(context.Context) (any, error), error)
}

// envelope wraps every value on the wire: gob cannot send a nil pointer or an
// empty struct at the top level, but can as a field. It is sent through a
// pointer, which makes V addressable: gob calls a GobEncode or MarshalBinary
// with a pointer receiver only on an addressable value.
type envelope[T any] struct{ V T }

// WorkerExitError is the error of a task whose child process died while
// running it: the task panicked outside its own goroutine, called os.Exit, or
// was killed by a signal. Only that task fails; a fresh child takes the dead
// one's place.
type WorkerExitError struct {
	ExitCode int    // the child's exit status, or 128+n when signal n killed it
	Stderr   string // the tail of what the child wrote on stderr (at most 4 KiB)
}

// Error gives the exit status and the last lines of stderr.
func (e *WorkerExitError) Error() string {
	msg := fmt.Sprintf("pool: worker process exited with status %d", e.ExitCode)
	if tail := lastLines(e.Stderr, 5); tail != "" {
		msg += "; stderr ends with:\n" + tail
	}
	return msg
}

// lastLines returns the last n lines of s, without a final newline.
func lastLines(s string, n int) string {
	s = strings.TrimRight(s, "\n")
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '\n' {
			if n--; n == 0 {
				return s[i+1:]
			}
		}
	}
	return s
}

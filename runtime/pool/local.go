package pool

import (
	"context"
	"errors"
	"io"
	"sync"
)

// A Local holds one value per worker: a database connection, a compressor, a
// loaded model, built once by each worker that needs one rather than once per
// task (Python's Pool(initializer=...), tunny's per-worker state).
//
// The worker running a task builds its value with init on the first Get, and
// closes it, if it is an io.Closer, when that worker exits: when Close drains
// the pool, when Resize shrinks it, or when an abandoned task's goroutine
// returns. A worker that replaces another (after an abandoned task, a killed
// child process, MaxTasksPerWorker) builds its own. Close returns nil only
// after every worker has exited and closed its values.
//
// Map and Stream inputs run on the pool's workers and see the same values as
// Submit tasks there. In process mode the worker is the child process that
// runs the call: init runs there, and the value is closed when the child
// exits.
//
// A worker runs one task at a time, so its value is never used by two tasks at
// once, as long as the task uses it in its own goroutine (or in goroutines it
// waits for) and not after it returns. A Local may be shared by any number of
// pools; it is safe for concurrent use.
type Local[T any] struct {
	init func(context.Context) (T, error)
}

// NewLocal returns a Local whose values init builds, with the ctx of the task
// that first needs one on its worker. It panics when init is nil.
func NewLocal[T any](init func(context.Context) (T, error)) *Local[T] {
	if init == nil {
		panic("pool: NewLocal: nil init")
	}
	return &Local[T]{init: init}
}

// errNotTask is Local.Get's error when its ctx is not a task's ctx, nor derived
// from one: only a worker has Local values.
var errNotTask = errors.New("pool: Local.Get: the ctx is not a task's ctx")

// errWorkerGone is Local.Get's error when the worker of ctx has exited: the
// ctx outlived its task.
var errWorkerGone = errors.New("pool: Local.Get: the task's worker has exited")

// Get returns the value of the worker running the task whose ctx is ctx (or
// derived from it), building it with init the first time on that worker. An
// error from init is returned and not kept: the next Get on that worker calls
// init again. With a ctx that does not come from a task, Get returns
// an error. Get does not wait for anything but init.
func (l *Local[T]) Get(ctx context.Context) (T, error) {
	var zero T
	ls, _ := ctx.Value(localsKey{}).(*locals)
	if ls == nil {
		return zero, errNotTask
	}
	v, ok, err := ls.lookup(l)
	if err != nil {
		return zero, err
	}
	if ok {
		return v.(T), nil
	}
	t, err := l.init(ctx)
	if err != nil {
		return zero, err
	}
	if !ls.add(l, t) {
		return zero, errWorkerGone // add closed t
	}
	return t, nil
}

// localsKey is the ctx key under which a task's ctx gives its worker's locals.
type localsKey struct{}

// locals holds a worker's Local values, in the order they were built.
type locals struct {
	mu     sync.Mutex
	vals   []localVal
	closed bool // the worker has exited: nothing more is kept
}

// localVal is one Local's value on a worker.
type localVal struct {
	local any // the *Local[T]
	val   any
}

// lookup returns the value of local, and whether there is one.
func (ls *locals) lookup(local any) (any, bool, error) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.closed {
		return nil, false, errWorkerGone
	}
	for _, lv := range ls.vals {
		if lv.local == local {
			return lv.val, true, nil
		}
	}
	return nil, false, nil
}

// add keeps val as local's value. It reports false, and closes val, when the
// worker has exited meanwhile.
func (ls *locals) add(local, val any) bool {
	ls.mu.Lock()
	if ls.closed {
		ls.mu.Unlock()
		closeValue(val)
		return false
	}
	ls.vals = append(ls.vals, localVal{local, val})
	ls.mu.Unlock()
	return true
}

// close closes every value, the last built first (it may use those built
// before it), and keeps nothing from now on.
func (ls *locals) close() {
	ls.mu.Lock()
	vals := ls.vals
	ls.vals, ls.closed = nil, true
	ls.mu.Unlock()
	for i := len(vals) - 1; i >= 0; i-- {
		closeValue(vals[i].val)
	}
}

// closeValue closes v if it is an io.Closer. Its error and a panic are
// dropped: the worker is exiting and nobody waits for it.
func closeValue(v any) {
	if c, ok := v.(io.Closer); ok {
		_ = recoverPanic(func() { c.Close() })
	}
}

// workerCtx is the ctx of the inputs that a Map or Stream loop runs on one
// worker: the job's ctx, giving that worker's locals.
type workerCtx struct {
	context.Context
	locals *locals
}

func (c *workerCtx) Value(key any) any {
	if _, ok := key.(localsKey); ok {
		return c.locals
	}
	return c.Context.Value(key)
}

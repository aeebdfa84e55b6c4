// Package pool is poolgen's runtime: a worker pool in which every blocking wait
// takes a context.Context or a timeout, so a wait that Ctrl+C cannot interrupt
// cannot be written.
//
// A Pool runs tasks on a fixed number of workers. Submit queues one task and
// returns its Future; Map runs a function over a slice and returns the results in
// order; Stream does the same over an iter.Seq and yields results as they come.
// InterruptContext turns the first Ctrl+C (or SIGTERM) into a cancelled ctx
// whose cause is ErrInterrupted and the second into an exit with status 130.
// A Local holds one value per worker (a connection, a compressor), and Resize
// grows or shrinks the pool while it runs.
//
// The promises, each one a test:
//
//   - No wait blocks past its ctx or timeout: Future.Get, Future.GetWithin,
//     Submit on a full queue, Map, Stream and Close return once their ctx is
//     done, even while a running task ignores its own ctx. Such a task is
//     abandoned: its waiter gets the ctx error at once, its late result is
//     dropped, Stats.Abandoned counts it, and its worker's slot goes to a fresh
//     goroutine (at most Workers(n) at once).
//   - Every submitted task resolves its Future exactly once: value, error,
//     *PanicError, timeout or cancellation. A cancelled queued task never starts.
//   - A panic in a task becomes a *PanicError with the stack, for that task's
//     waiter; it never kills a worker or the process.
//   - Map fails fast by default: the first error cancels the rest and names the
//     input (*TaskError). It keeps every finished result, also on cancel,
//     and a *PartialError in its error says which inputs finished.
//     Breaking out of a Stream loop cancels what is left.
//   - Cancelling is O(1) for the waiter whatever the queue's length, and
//     Stream's memory is bounded by its window, not by the input's length.
//   - After Close returns nil, no goroutine of the pool is left.
//
// Generated wrappers (see cmd/poolgen) call Submit, Map and Stream with typed
// arguments; the package is as usable by hand.
package pool

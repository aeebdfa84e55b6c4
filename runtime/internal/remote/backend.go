// Package remote is the engine of remote execution: it runs calls of
// registered functions (see package wire) on workers that a Backend reaches
// through Conns — child processes today, machines on a message broker next —
// and knows nothing of how they are reached. It owns what is the same for
// every backend: a single Call with its cancel and grace period, and the
// pipelined jobs of Map and Stream (windows of calls queued in each worker,
// calls a worker gave back or never started sent again, calls stuck behind
// a hung one revoked, the grace given to a job's calls when it ends).
//
// Values cross as bytes (wire.AppendValue); the typed layer, package pool,
// encodes arguments and decodes results.
package remote

import (
	"context"
	"time"

	"github.com/poolgen/poolgen/runtime/internal/wire"
)

// A Backend reaches workers. At most a bound of them exist; Acquire hands out
// a free one (starting one when the bound allows), whose holder sends it
// calls until it gives it back with Release.
type Backend interface {
	// Acquire returns a free worker, waiting on ctx for one. It fails when
	// the backend is closed or cannot start a worker.
	Acquire(ctx context.Context) (Conn, error)
	// Release takes back c, all of whose calls are answered, ran of them
	// having run; retire says that c must get no more calls.
	Release(c Conn, ran int, retire bool)
	// Grace is how long a cancelled call may take to return before its
	// worker is killed.
	Grace() time.Duration
	// CallGrace is the Grace that each call's message carries (see
	// wire.Msg), for a worker that kills on its own side: 0 leaves the
	// grace to the worker.
	CallGrace() int64
	// MaxTasks is how many calls a worker gets before it is replaced; 0: no bound.
	MaxTasks() int
	// Killed is closed when the backend kills every worker at once: a
	// watcher of a worker in its grace period kills it then.
	Killed() <-chan struct{}
	// Watch runs f on a goroutine that the backend's close waits for.
	Watch(f func())
}

// A Conn carries calls to one worker, which runs them one at a time, in the
// order sent, and answers each with one message: Result, Error, Panic or
// NotRun. Only the holder of a Conn sends on it; replies go to its Handler,
// on a goroutine of the Conn.
type Conn interface {
	// NextID returns a fresh id for a call on this worker.
	NextID() uint64
	// Add buffers m for the next Flush. It fails, and adds nothing, when m
	// cannot be sent (it is too large): only that call fails.
	Add(m *wire.Msg) error
	// Flush writes what Add buffered; wrote says whether any of it reached
	// the worker, which may then have started a call.
	Flush() (wrote bool, err error)
	// Send writes m at once (Cancel and Revoke); a failure means that the
	// worker is ending.
	Send(m *wire.Msg) error
	// SetHandler makes h the taker of this worker's replies.
	SetHandler(h Handler)
	// Dead is closed once the worker has ended and every reply it sent
	// has been handled.
	Dead() <-chan struct{}
	// Err says how the worker ended, once Dead is closed.
	Err() error
	// Kill ends the worker now, and what its calls started.
	Kill()
	// Tasks is how many calls the worker has run, as counted by Release.
	Tasks() int
}

// A Handler takes a worker's replies. Handle reports false when it expects
// no reply with m's id: the two ends disagree, and the worker is killed.
type Handler interface {
	Handle(m *wire.Msg) bool
}

package pool

import (
	"runtime"
	"time"
)

// An Option configures a Pool in New.
type Option func(*config)

type config struct {
	workers     int
	queueSize   int // 0: unbounded
	taskTimeout time.Duration
	// abandonGrace is the const abandonGrace; tests that must not depend on how
	// fast a loaded machine runs a task that watches its ctx make it longer.
	abandonGrace time.Duration

	processGrace      time.Duration // process mode: see process.go
	graceSet          bool          // ProcessGrace was given: a Transport sends it with each call
	maxTasksPerWorker int
	transport         Transport // nil: the pool's own child processes
}

func newConfig(opts []Option) config {
	c := config{workers: runtime.GOMAXPROCS(0), processGrace: time.Second, abandonGrace: abandonGrace}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// Workers sets how many tasks run at once. The default is runtime.GOMAXPROCS(0);
// n < 1 means 1.
func Workers(n int) Option {
	return func(c *config) { c.workers = max(n, 1) }
}

// QueueSize bounds how many submitted tasks may wait for a worker (running tasks do
// not count). Submit waits, on its ctx, while n tasks wait. The default, and n < 1,
// is an unbounded queue. Map and Stream do not queue per item, so they are not
// slowed by the bound.
func QueueSize(n int) Option {
	return func(c *config) { c.queueSize = max(n, 0) }
}

// TaskTimeout puts a deadline d after its start on every task's ctx, and on the
// ctx of every input of Map and Stream. A task or input still running at its
// deadline fails at once with context.DeadlineExceeded (a *TaskError naming the
// input, for Map and Stream), even when it ignores its ctx: it is abandoned, and
// its worker's slot goes to a fresh goroutine. Map and Stream check it as
// Timeout says. d <= 0 means no deadline (the default).
func TaskTimeout(d time.Duration) Option {
	return func(c *config) { c.taskTimeout = max(d, 0) }
}

// ProcessGrace sets how long a child process whose task was cancelled (its
// ctx ended) may take to return before it is killed with SIGKILL and replaced;
// the task's waiter does not wait for it. The default is 1s; d < 0 means 0.
// It applies to isolate=process workers (see RegisterProcess). Through a
// Transport, it travels with each call and the worker enforces it; without
// it, the worker's own default applies (cluster.Serve's ProcessGrace).
func ProcessGrace(d time.Duration) Option {
	return func(c *config) { c.processGrace, c.graceSet = max(d, 0), true }
}

// MaxTasksPerWorker makes a child process exit after it has run n tasks; a
// fresh one takes its place (Python's maxtasksperchild). The default, and
// n < 1, is no limit. It applies to isolate=process workers (see
// RegisterProcess).
func MaxTasksPerWorker(n int) Option {
	return func(c *config) { c.maxTasksPerWorker = max(n, 0) }
}

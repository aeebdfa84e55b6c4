package remote

import (
	"time"

	"github.com/poolgen/poolgen/runtime/internal/wire"
)

// Hooks that package cluster (runtime/cluster) fills in, so that package pool
// serves and reports cluster work without importing it, nor NATS.
var (
	// ClusterMain, when set, serves tasks from a cluster when this process
	// is a cluster worker, and never returns then; anywhere else it returns
	// at once. pool.ProcessMain calls it.
	ClusterMain func()
	// BackendError turns an error reply of a class from ClassBackend up,
	// which only a backend makes (a worker's exit, a lost call, an oversized
	// value), into its error.
	BackendError func(m *wire.Msg) error
	// PoolProcesses, set by package pool, returns the child processes of
	// the *pool.Pool p, the bound on them, and p's TaskTimeout.
	PoolProcesses func(p any) (b Backend, workers int, timeout time.Duration)
)

// ClassBackend is the first class of the error replies that a backend adds
// to wire's: see BackendError.
const ClassBackend wire.Class = 128

package pool

import (
	"context"
	"fmt"
	"time"

	"github.com/poolgen/poolgen/runtime/internal/proc"
	"github.com/poolgen/poolgen/runtime/internal/remote"
)

// A Transport runs a pool's isolate=process calls somewhere else than the
// pool's own child processes: *cluster.Cluster (package
// runtime/cluster) is one. It is sealed: its method's result type is
// internal to this module, so only this module's packages implement it.
type Transport interface {
	// PoolBackend is for package pool's use: the backend of a pool whose
	// cancelled calls get grace to return. graceSet says that the pool was
	// given ProcessGrace: its calls carry grace to the workers, which
	// otherwise apply their own default.
	PoolBackend(grace time.Duration, graceSet bool) remote.Backend
}

func init() {
	remote.PoolProcesses = func(p any) (remote.Backend, int, time.Duration) {
		pl := p.(*Pool)
		return pl.processes(), pl.cfg.workers, pl.cfg.taskTimeout
	}
}

// Remote makes the pool's isolate=process calls (ProcessFunc's Call, Map and
// Stream, and the wrappers generated for isolate=process workers) run
// through t instead of in the pool's own child processes. The pool does not
// close t.
func Remote(t Transport) Option {
	return func(c *config) { c.transport = t }
}

// processes returns where p's isolate=process calls run: its Transport, or
// its own child processes, made on first use. Once p is closed and quiet, or
// its Close gave up, the set made is a closed one, which refuses calls with
// ErrClosed.
func (p *Pool) processes() remote.Backend {
	if p.remote != nil {
		return p.remote
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.procs == nil {
		p.procs = proc.NewSet(p.cfg.workers, p.cfg.processGrace, p.cfg.maxTasksPerWorker)
		if p.isQuiet || p.closing && p.stopped {
			p.procs.Refuse()
		}
	}
	return p.procs
}

// closeProcesses ends p's children once no task of p is left: idle ones exit
// at once, one in its grace period when its task returns or the grace ends.
// It waits until every child has exited and been reaped, or until ctx ends;
// then it kills them all and returns ctx's error.
func (p *Pool) closeProcesses(ctx context.Context) error {
	p.mu.Lock()
	s := p.procs
	p.mu.Unlock()
	if s == nil {
		return nil
	}
	if err := s.Close(ctx); err != nil {
		return fmt.Errorf("pool: close: %w (worker processes killed)", ctxError(ctx))
	}
	return nil
}

// killProcesses kills p's children at once, without waiting for them, and
// refuses calls from now on.
func (p *Pool) killProcesses() {
	p.mu.Lock()
	s := p.procs
	p.mu.Unlock()
	if s != nil {
		s.Kill()
	}
}

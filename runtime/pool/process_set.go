package pool

import (
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// processSet is a pool's child processes: at most cfg.workers, each started on
// first use. A child is idle (in idle), running a call (held by that call's
// goroutine), in its grace period after a cancel (held by a watcher
// goroutine), or retired. A token in tokens stands for each child from its
// start until it has exited and been reaped, so the bound holds for processes,
// not for handles.
type processSet struct {
	grace    time.Duration
	maxTasks int // 0: no limit
	tokens   chan struct{}
	idle     chan *child
	closing  chan struct{} // closed by close: no new call starts
	killed   chan struct{} // closed by kill: every child is killed now
	wg       sync.WaitGroup

	mu     sync.Mutex
	closed bool
	dead   bool // kill was called
	live   map[*child]struct{}
}

// processes returns p's child processes, making the set on first use. Once
// p is closed and quiet, or its Close gave up, the set made is a closed one,
// which refuses calls with ErrClosed.
func (p *Pool) processes() *processSet {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.procs == nil {
		p.procs = newProcessSet(p.cfg)
		if p.isQuiet || p.closing && p.stopped {
			p.procs.refuse()
		}
	}
	return p.procs
}

func newProcessSet(cfg config) *processSet {
	return &processSet{
		grace:    cfg.processGrace,
		maxTasks: cfg.maxTasksPerWorker,
		tokens:   make(chan struct{}, cfg.workers),
		idle:     make(chan *child, cfg.workers),
		closing:  make(chan struct{}),
		killed:   make(chan struct{}),
		live:     map[*child]struct{}{},
	}
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
	return s.close(ctx)
}

// killProcesses kills p's children at once, without waiting for them, and
// refuses calls from now on.
func (p *Pool) killProcesses() {
	p.mu.Lock()
	s := p.procs
	p.mu.Unlock()
	if s != nil {
		s.kill()
	}
}

// errNoProcessMain fails calls in a child that runs main without ProcessMain.
var errNoProcessMain = errors.New("pool: a worker process ran main without calling pool.ProcessMain first: make it the first statement of main and of TestMain")

// run runs one call of the function registered as name with arg, and lets
// decode read its result.
func (s *processSet) run(ctx context.Context, name string, arg any, decode func(*gob.Decoder) error) error {
	if childWithoutMain.Load() {
		return errNoProcessMain
	}
	var deadline int64
	if d, ok := ctx.Deadline(); ok {
		deadline = d.UnixNano()
	}
	for attempt := 0; ; attempt++ {
		c, err := s.acquire(ctx)
		if err != nil {
			return err
		}
		call, err := c.start(deadline, name, arg, decode)
		var pe *pipeError
		switch {
		case errors.As(err, &pe) && attempt < 3:
			// The child died before the task reached it, so the task never
			// ran: give it to another one.
			c.kill()
			continue
		case err != nil:
			s.retire(c)
			return fmt.Errorf("pool: sending a call of %s to a worker process: %w", name, err)
		}
		select {
		case r := <-call.res:
			s.release(c, 1, r.broken)
			return r.err
		case <-c.dead:
			select {
			case r := <-call.res: // the reply came just before the end
				return r.err
			default:
			}
			return c.exitErr
		case <-ctx.Done():
			c.cancel(call)
			return ctxError(ctx)
		}
	}
}

// acquire returns an idle child, or starts one when fewer than the bound are
// alive, waiting on ctx for one of the two.
func (s *processSet) acquire(ctx context.Context) (*child, error) {
	for {
		select {
		case <-s.closing:
			return nil, ErrClosed
		case c := <-s.idle:
			if c.isDead() {
				continue
			}
			return c, nil
		default:
		}
		select {
		case c := <-s.idle:
			if c.isDead() {
				continue
			}
			return c, nil
		case s.tokens <- struct{}{}:
			return s.spawn(ctx)
		case <-ctx.Done():
			return nil, ctxError(ctx)
		case <-s.closing:
			return nil, ErrClosed
		}
	}
}

// release takes back a child whose calls have returned, ran of them having
// run: idle again, or retired when its gob stream broke, it ran
// MaxTasksPerWorker tasks, or the set closed.
func (s *processSet) release(c *child, ran int, broken bool) {
	c.tasks += ran
	if broken || s.maxTasks > 0 && c.tasks >= s.maxTasks {
		s.retire(c)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		c.closePipe()
		return
	}
	s.idle <- c // never blocks: at most cap(idle) children exist
}

// retire ends c: it exits when it reads the end of its pipe.
func (s *processSet) retire(c *child) { c.closePipe() }

// watchGrace waits, after c's call was cancelled, for the call to return
// within the grace period; else it kills c.
func (s *processSet) watchGrace(c *child, res <-chan reply) {
	defer s.wg.Done()
	t := time.NewTimer(s.grace)
	defer t.Stop()
	select {
	case r := <-res:
		s.release(c, 1, r.broken)
	case <-c.dead:
	case <-t.C:
		c.kill()
	case <-s.killed:
		c.kill()
	}
}

// refuse stops new calls: they fail with ErrClosed.
func (s *processSet) refuse() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.closing)
	}
}

// close stops new calls, retires the idle children and waits for every child
// to be reaped, or until ctx ends: then it kills them.
func (s *processSet) close(ctx context.Context) error {
	s.refuse()
	for {
		select {
		case c := <-s.idle:
			c.closePipe()
			continue
		default:
		}
		break
	}
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.kill()
		return fmt.Errorf("pool: close: %w (worker processes killed)", ctxError(ctx))
	}
}

// kill kills every child now, and refuses new calls.
func (s *processSet) kill() {
	s.refuse()
	s.mu.Lock()
	if !s.dead {
		s.dead = true
		close(s.killed)
	}
	live := make([]*child, 0, len(s.live))
	for c := range s.live {
		live = append(live, c)
	}
	s.mu.Unlock()
	for _, c := range live {
		c.kill()
	}
}

// executable is this program, which children run again.
var executable = sync.OnceValues(os.Executable)

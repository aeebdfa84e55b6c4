// Package proc is the child-process backend of remote execution: it runs
// calls in children of this process (the same binary, started again, which
// serves them from ProcessMain), one pipe each way, and kills a child whose
// call ignores its cancel past the grace period. A goroutine cannot be
// killed, a process can.
package proc

import (
	"context"
	"errors"
	"os"
	"sync"
	"time"

	"github.com/poolgen/poolgen/runtime/internal/remote"
)

// Set is a pool's child processes, a remote.Backend: at most Workers of them,
// each started on first use. A child is idle (in idle), held by a call or a
// job's driver, in its grace period after a cancel (held by a watcher), or
// retired. A token in tokens stands for each child from its start until it
// has exited and been reaped, so the bound holds for processes, not for
// handles.
type Set struct {
	grace    time.Duration
	maxTasks int // 0: no limit
	tokens   chan struct{}
	idle     chan *child
	closing  chan struct{} // closed by Refuse: no new call starts
	killed   chan struct{} // closed by Kill: every child is killed now
	wg       sync.WaitGroup

	mu     sync.Mutex
	closed bool
	dead   bool // Kill was called
	live   map[*child]struct{}
}

// ErrClosed is Acquire's error once the set refuses calls.
var ErrClosed = errors.New("pool: closed")

// NewSet returns a set of at most workers children; a cancelled call's child
// gets grace to return before it is killed, and a child is replaced after
// maxTasks calls (0: never).
func NewSet(workers int, grace time.Duration, maxTasks int) *Set {
	return &Set{
		grace:    grace,
		maxTasks: maxTasks,
		tokens:   make(chan struct{}, workers),
		idle:     make(chan *child, workers),
		closing:  make(chan struct{}),
		killed:   make(chan struct{}),
		live:     map[*child]struct{}{},
	}
}

// Grace, MaxTasks, Killed and Watch: see remote.Backend.
func (s *Set) Grace() time.Duration    { return s.grace }
func (s *Set) MaxTasks() int           { return s.maxTasks }
func (s *Set) Killed() <-chan struct{} { return s.killed }

func (s *Set) Watch(f func()) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
}

// errNoProcessMain fails calls in a child that runs main without ProcessMain.
var errNoProcessMain = errors.New("pool: a worker process ran main without calling pool.ProcessMain first: make it the first statement of main and of TestMain")

// Acquire returns an idle child, or starts one when fewer than the bound are
// alive, waiting on ctx for one of the two.
func (s *Set) Acquire(ctx context.Context) (remote.Conn, error) {
	if childWithoutMain.Load() {
		return nil, errNoProcessMain
	}
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
			return nil, ctx.Err()
		case <-s.closing:
			return nil, ErrClosed
		}
	}
}

// Release takes back a child whose calls have returned, ran of them having
// run: idle again, or retired when asked, when it ran MaxTasks calls, or when
// the set is closed.
func (s *Set) Release(conn remote.Conn, ran int, retire bool) {
	c := conn.(*child)
	c.tasks += ran
	if retire || s.maxTasks > 0 && c.tasks >= s.maxTasks {
		c.closePipe()
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

// Refuse stops new calls: Acquire fails with ErrClosed.
func (s *Set) Refuse() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.closing)
	}
}

// Close stops new calls, retires the idle children and waits for every child
// to be reaped, or until ctx ends: then it kills them and returns ctx.Err().
func (s *Set) Close(ctx context.Context) error {
	s.Refuse()
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
		s.Kill()
		return ctx.Err()
	}
}

// Kill kills every child now, and refuses new calls.
func (s *Set) Kill() {
	s.Refuse()
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
		c.Kill()
	}
}

// executable is this program, which children run again.
var executable = sync.OnceValues(os.Executable)

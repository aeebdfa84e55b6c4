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

// Set is a pool's child processes, a remote.Backend: at most limit of them,
// each started on first use. A child is idle (in idle), held by a call or a
// job's driver, in its grace period after a cancel (held by a watcher), or
// retired. count stands for each child from its start until it has exited
// and been reaped, so the bound holds for processes, not for handles.
type Set struct {
	grace    time.Duration
	maxTasks int           // 0: no limit
	closing  chan struct{} // closed by Refuse: no new call starts
	killed   chan struct{} // closed by Kill: every child is killed now
	wg       sync.WaitGroup

	mu      sync.Mutex
	limit   int           // children at most; Resize changes it
	count   int           // children started and not yet reaped, or being started
	leaving int           // of those, children retired and not yet reaped
	idle    []*child      // oldest first
	changed chan struct{} // closed, and replaced, when a child is idle or count may grow
	closed  bool
	dead    bool // Kill was called
	live    map[*child]struct{}
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
		limit:    workers,
		changed:  make(chan struct{}),
		closing:  make(chan struct{}),
		killed:   make(chan struct{}),
		live:     map[*child]struct{}{},
	}
}

// Grace, CallGrace, MaxTasks, Killed and Watch: see remote.Backend. Calls
// carry no grace: the set, not the child, kills.
func (s *Set) Grace() time.Duration    { return s.grace }
func (s *Set) CallGrace() int64        { return 0 }
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
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return nil, ErrClosed
		}
		if n := len(s.idle); n > 0 {
			// The child idle the shortest time: its thread may not have gone
			// to sleep yet, so the call reaches it sooner.
			c := s.idle[n-1]
			s.idle = s.idle[:n-1]
			s.mu.Unlock()
			if c.isDead() {
				continue
			}
			return c, nil
		}
		if s.count < s.limit {
			s.count++ // spawn, or the child's reaper, gives it back
			s.mu.Unlock()
			return s.spawn(ctx)
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-s.closing:
			return nil, ErrClosed
		}
	}
}

// Release takes back a child whose calls have returned, ran of them having
// run: idle again, or retired when asked, when it ran MaxTasks calls, when
// the set is closed, or when more children live than Resize allows.
func (s *Set) Release(conn remote.Conn, ran int, retire bool) {
	c := conn.(*child)
	c.tasks += ran
	s.mu.Lock()
	defer s.mu.Unlock()
	if retire || s.maxTasks > 0 && c.tasks >= s.maxTasks || s.closed || s.count-s.leaving > s.limit {
		s.retire(c)
		return
	}
	s.idle = append(s.idle, c)
	s.notify()
}

// Resize sets the bound to n: more children may start at once; idle ones
// beyond n are retired now, busy ones when they are released.
func (s *Set) Resize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit = n
	for s.count-s.leaving > s.limit && len(s.idle) > 0 {
		s.retire(s.idle[0])
		s.idle = s.idle[1:]
	}
	s.notify()
}

// retire closes c's pipe: c exits when it has read the end. s.mu must be held.
func (s *Set) retire(c *child) {
	if !c.leaving {
		c.leaving = true
		s.leaving++
	}
	c.closePipe()
}

// notify wakes the Acquire calls waiting. s.mu must be held.
func (s *Set) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// reaped gives back the place of a child that has been reaped, or of one
// that spawn failed to start (nil).
func (s *Set) reaped(c *child) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c != nil && c.leaving {
		s.leaving--
	}
	s.count--
	s.notify()
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
	s.mu.Lock()
	for _, c := range s.idle {
		s.retire(c)
	}
	s.idle = nil
	s.mu.Unlock()
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

// Executable is this program, which children (and cluster mode's local
// workers) run again: os.Executable, read once.
var Executable = sync.OnceValues(os.Executable)

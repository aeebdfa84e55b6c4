package proc

import (
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"

	"github.com/poolgen/poolgen/runtime/internal/remote"
	"github.com/poolgen/poolgen/runtime/internal/wire"
)

// helloTimeout bounds how long a new child may take to start serving: one
// that runs main without calling ProcessMain never does.
const helloTimeout = 10 * time.Second

// child is the parent's handle on one child process, a remote.Conn. The
// goroutine holding it (a call, a job's driver, or a grace watcher) owns
// tasks and nextID.
type child struct {
	set     *Set
	cmd     *exec.Cmd
	w       *wire.FrameWriter // to the child
	toChild *os.File
	stderr  *tailBuffer
	tasks   int
	nextID  uint64

	hello    chan struct{} // closed when the child is ready to serve
	readDone chan struct{} // closed when the reader has stopped
	dead     chan struct{} // closed when the child has exited, been reaped and read to the end
	exitErr  *ExitError
	exited   atomic.Bool // the child has been reaped
	pipeLost atomic.Bool // the child's result pipe ended while it ran: it was killed for it
	leaving  bool        // retired by the set; guarded by Set.mu

	mu         sync.Mutex
	h          remote.Handler // whom the replies go to: the holder of the child
	pipeClosed bool
}

func (c *child) NextID() uint64        { c.nextID++; return c.nextID }
func (c *child) Add(m *wire.Msg) error { return c.w.Add(m) }
func (c *child) Tasks() int            { return c.tasks }

func (c *child) Flush() (wrote bool, err error) {
	n, err := c.w.Flush()
	return n > 0, err
}

func (c *child) Send(m *wire.Msg) error { return c.w.Send(m) }

func (c *child) SetHandler(h remote.Handler) {
	c.mu.Lock()
	c.h = h
	c.mu.Unlock()
}

func (c *child) Dead() <-chan struct{} { return c.dead }

func (c *child) Err() error { return c.exitErr }

// Kill kills c and any process it started in its group.
func (c *child) Kill() { killGroup(c.cmd.Process) }

// isDead reports whether c has ended.
func (c *child) isDead() bool {
	select {
	case <-c.dead:
		return true
	default:
		return false
	}
}

// closePipe closes c's task pipe: c exits when it reads the end.
func (c *child) closePipe() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.pipeClosed {
		c.pipeClosed = true
		c.toChild.Close()
	}
}

// read reads c's replies until the end of its pipe and hands each to its
// holder.
func (c *child) read(from *os.File) {
	defer c.set.wg.Done()
	defer close(c.readDone)
	fr := wire.NewFrameReader(from)
	for {
		m, err := fr.Next()
		if err != nil {
			// No reply can come any more. A child that still runs closed its
			// pipes (tidy-up code that closes every descriptor does): it
			// cannot answer, so it must go.
			if !c.exited.Load() {
				c.pipeLost.Store(true)
				c.Kill()
			}
			return
		}
		if m.Kind == wire.KindHello {
			close(c.hello)
			continue
		}
		c.mu.Lock()
		h := c.h
		c.mu.Unlock()
		if h == nil || !h.Handle(m) {
			c.Kill() // a reply to no call: the two ends disagree
			return
		}
	}
}

// wait reaps c, records how it ended and gives its token back.
func (c *child) wait(from *os.File) {
	defer c.set.wg.Done()
	c.cmd.Wait()
	c.exited.Store(true)
	// Frames the child wrote before it ended are still in the pipe: let the
	// reader finish, unless something else holds the pipe open.
	select {
	case <-c.readDone:
	case <-time.After(time.Second):
		from.Close()
		<-c.readDone
	}
	from.Close()
	c.closePipe()
	c.exitErr = &ExitError{Code: exitCode(c.cmd.ProcessState), Stderr: c.stderr.String()}
	if c.pipeLost.Load() && c.exitErr.Code == killedStatus {
		c.exitErr.Why = "killed: it closed its pipes to the pool"
	}
	s := c.set
	s.mu.Lock()
	delete(s.live, c)
	s.mu.Unlock()
	close(c.dead)
	s.reaped(c)
}

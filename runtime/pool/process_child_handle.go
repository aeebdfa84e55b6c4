package pool

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// helloTimeout bounds how long a new child may take to start serving: one
// that runs main without calling ProcessMain never does.
const helloTimeout = 10 * time.Second

// child is the parent's handle on one child process. The goroutine holding it
// (a call, a pipelined job's driver, or a grace watcher) owns tasks and nextID.
type child struct {
	set     *processSet
	cmd     *exec.Cmd
	w       *frameWriter // to the child
	toChild *os.File
	stderr  *tailBuffer
	tasks   int
	nextID  uint64

	hello    chan struct{} // closed when the child is ready to serve
	readDone chan struct{} // closed when the reader has stopped
	dead     chan struct{} // closed when the child has exited, been reaped and read to the end
	exitErr  *WorkerExitError
	exited   atomic.Bool // the child has been reaped
	pipeLost atomic.Bool // the child's result pipe ended while it ran: it was killed for it

	mu         sync.Mutex
	h          replyHandler // whom the replies go to: the holder of the child
	pipeClosed bool
}

// A replyHandler takes the replies of a child's calls, on the child's reader
// goroutine.
type replyHandler interface {
	// handle reads the reply frame of call id from fr. It reports false when
	// it has no such call: the streams disagree, and the child is killed.
	handle(kind byte, id uint64, fr *frameReader) bool
}

// setHandler makes h the handler of c's replies.
func (c *child) setHandler(h replyHandler) {
	c.mu.Lock()
	c.h = h
	c.mu.Unlock()
}

// inflight is a Call in flight: its reply comes on res.
type inflight struct {
	id       uint64
	decode   func(*gob.Decoder) error
	res      chan reply
	answered bool // read by the child's reader goroutine only
}

func (p *inflight) handle(kind byte, id uint64, fr *frameReader) bool {
	if p.answered || id != p.id {
		return false
	}
	p.answered = true
	p.res <- readReply(kind, fr, p.decode)
	return true
}

// reply is a call's outcome; broken says its child must not get another task,
// notRun that the call never started.
type reply struct {
	err    error
	broken bool
	notRun bool
}

// spawn starts a child and waits, on ctx, until it serves. The caller holds a
// token for it; from the child's start on, the child's waiter gives it back,
// and before that spawn does.
func (s *processSet) spawn(ctx context.Context) (c *child, err error) {
	started := false
	defer func() {
		if !started {
			<-s.tokens
		}
	}()
	if !processSupported {
		return nil, errors.New("pool: worker processes need a unix system")
	}
	exe, err := executable()
	if err != nil {
		return nil, fmt.Errorf("pool: starting a worker process: %w", err)
	}
	toR, toW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("pool: starting a worker process: %w", err)
	}
	fromR, fromW, err := os.Pipe()
	if err != nil {
		toR.Close()
		toW.Close()
		return nil, fmt.Errorf("pool: starting a worker process: %w", err)
	}
	c = &child{set: s, toChild: toW, w: newFrameWriter(toW), stderr: &tailBuffer{},
		hello: make(chan struct{}), readDone: make(chan struct{}), dead: make(chan struct{})}
	c.cmd = exec.Command(exe)
	c.cmd.Env = childEnviron()
	c.cmd.ExtraFiles = []*os.File{toR, fromW} // fds 3 and 4 in the child
	c.cmd.Stdout = os.Stdout
	c.cmd.Stderr = c.stderr
	c.cmd.SysProcAttr = childSysProcAttr()
	c.cmd.WaitDelay = time.Second // a grandchild holding stderr must not hold up the reaping

	s.mu.Lock()
	if s.closed {
		err = ErrClosed
	} else if err = c.cmd.Start(); err == nil {
		started = true
		s.live[c] = struct{}{}
	}
	killed := s.dead
	s.mu.Unlock()
	toR.Close()
	fromW.Close()
	if !started {
		toW.Close()
		fromR.Close()
		if err == ErrClosed {
			return nil, err
		}
		return nil, fmt.Errorf("pool: starting a worker process: %w", err)
	}
	s.wg.Add(2)
	go c.read(fromR)
	go c.wait(fromR)
	if killed {
		c.kill()
	}

	t := time.NewTimer(helloTimeout)
	defer t.Stop()
	select {
	case <-c.hello:
		return c, nil
	case <-c.dead:
		return nil, fmt.Errorf("pool: a worker process exited before serving (does main call pool.ProcessMain first?): %w", c.exitErr)
	case <-ctx.Done():
		c.kill()
		return nil, ctxError(ctx)
	case <-t.C:
		c.kill()
		return nil, fmt.Errorf("pool: a worker process did not serve within %v: does main call pool.ProcessMain first?", helloTimeout)
	}
}

// start sends a call to c and returns it; its reply will come on its res.
func (c *child) start(deadline int64, name string, arg any, decode func(*gob.Decoder) error) (*inflight, error) {
	c.nextID++
	p := &inflight{id: c.nextID, decode: decode, res: make(chan reply, 1)}
	c.setHandler(p)
	err := c.w.sendValue(frameCall, p.id, callFill(name, deadline), arg)
	if err != nil {
		c.setHandler(nil)
		return nil, err
	}
	return p, nil
}

// callFill writes the plain values of a call frame.
func callFill(name string, deadline int64) func(b *bytes.Buffer) {
	return func(b *bytes.Buffer) {
		putStr(b, name)
		putVarint(b, deadline)
	}
}

// cancel tells c to cancel call p, and leaves c to a watcher that kills it
// unless the call returns within the grace period.
func (c *child) cancel(p *inflight) {
	c.w.send(frameCancel, p.id, nil) // if this fails the child is dying anyway
	c.set.wg.Add(1)
	go c.set.watchGrace(c, p.res)
}

// read reads c's replies until the end of its pipe and hands each to its call.
func (c *child) read(from *os.File) {
	defer c.set.wg.Done()
	defer close(c.readDone)
	fr := newFrameReader(from)
	for {
		kind, id, err := fr.next()
		if err != nil {
			// No reply can come any more. A child that still runs closed its
			// pipes (tidy-up code that closes every descriptor does): it
			// cannot answer, so it must go.
			if !c.exited.Load() {
				c.pipeLost.Store(true)
				c.kill()
			}
			return
		}
		if kind == frameHello {
			close(c.hello)
			continue
		}
		c.mu.Lock()
		h := c.h
		c.mu.Unlock()
		if h == nil || !h.handle(kind, id, fr) {
			c.kill() // a reply to no call: the streams disagree
			return
		}
	}
}

// readReply decodes the payload of a reply frame; decode reads a result.
func readReply(kind byte, fr *frameReader, decode func(*gob.Decoder) error) reply {
	switch kind {
	case frameResult:
		if err := catchPanic(func() error { return decode(fr.dec) }); err != nil {
			return reply{err: fmt.Errorf("pool: decoding a worker process's result: %w", err), broken: true}
		}
		return reply{}
	case framePanic:
		class, err := fr.payload.ReadByte()
		value, _ := fr.str()
		stack, err2 := fr.str()
		return reply{err: &PanicError{Value: value, Stack: []byte(stack)}, broken: err != nil || err2 != nil || class&errBroken != 0}
	case frameError:
		class, err := fr.payload.ReadByte()
		msg, _ := fr.str()
		return reply{err: &remoteError{msg: msg, class: class &^ (errBroken | errNotRun)},
			broken: err != nil || class&errBroken != 0, notRun: err == nil && class&errNotRun != 0}
	}
	return reply{err: fmt.Errorf("pool: unknown frame kind %d from a worker process", kind), broken: true}
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
	c.exitErr = &WorkerExitError{ExitCode: exitCode(c.cmd.ProcessState), Stderr: c.stderr.String()}
	if c.pipeLost.Load() && c.exitErr.ExitCode == killedStatus {
		c.exitErr.why = "killed: it closed its pipes to the pool"
	}
	s := c.set
	s.mu.Lock()
	delete(s.live, c)
	s.mu.Unlock()
	close(c.dead)
	<-s.tokens
}

// isDead reports whether c has ended.
func (c *child) isDead() bool {
	select {
	case <-c.dead:
		return true
	default:
		return false
	}
}

// kill kills c and any process it started in its group.
func (c *child) kill() { killGroup(c.cmd.Process) }

// closePipe closes c's task pipe: c exits when it reads the end.
func (c *child) closePipe() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.pipeClosed {
		c.pipeClosed = true
		c.toChild.Close()
	}
}

// remoteError is an error a task returned in a child: its message, and the
// ctx error errors.Is must still match.
type remoteError struct {
	msg   string
	class byte
}

func (e *remoteError) Error() string { return e.msg }

func (e *remoteError) Unwrap() error {
	switch e.class {
	case errCanceled:
		return context.Canceled
	case errDeadline:
		return context.DeadlineExceeded
	}
	return nil
}

// tailMax is how much of a child's stderr a WorkerExitError keeps.
const tailMax = 4 << 10

// tailBuffer passes a child's stderr on to ours and keeps its tail.
type tailBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	os.Stderr.Write(p)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > 2*tailMax {
		t.b = append(t.b[:0], t.b[len(t.b)-tailMax:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b[max(0, len(t.b)-tailMax):])
}

// childEnviron is a child's environment: ours, with the parent's pid in
// processEnv, and no pause at exit when it is built with -race (the race
// runtime waits 1s by default before exiting, and a retired child's
// replacement waits for it to be gone).
func childEnviron() []string {
	env := append(os.Environ(), processEnv+"="+strconv.Itoa(os.Getpid()))
	if race := os.Getenv("GORACE"); !strings.Contains(race, "atexit_sleep_ms") {
		env = append(env, strings.TrimSpace("GORACE="+race+" atexit_sleep_ms=0"))
	}
	return env
}

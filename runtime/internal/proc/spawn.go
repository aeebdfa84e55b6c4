package proc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/poolgen/poolgen/runtime/internal/wire"
)

// spawn starts a child and waits, on ctx, until it serves. The caller has
// counted it in s.count; from the child's start on, the child's reaper gives
// its place back, and before that spawn does.
func (s *Set) spawn(ctx context.Context) (*child, error) {
	c, err := s.start()
	if err != nil {
		s.reaped(nil)
		return nil, err
	}
	t := time.NewTimer(helloTimeout)
	defer t.Stop()
	select {
	case <-c.hello:
		return c, nil
	case <-c.dead:
		return nil, fmt.Errorf("pool: a worker process exited before serving (does main call pool.ProcessMain first?): %w", c.exitErr)
	case <-ctx.Done():
		c.Kill()
		return nil, ctx.Err()
	case <-t.C:
		c.Kill()
		return nil, fmt.Errorf("pool: a worker process did not serve within %v: does main call pool.ProcessMain first?", helloTimeout)
	}
}

// start starts a child process with its two pipes, and the goroutines that
// read its replies and reap it.
func (s *Set) start() (*child, error) {
	if !supported {
		return nil, errors.New("pool: worker processes need a unix system")
	}
	exe, err := Executable()
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
	c := &child{set: s, toChild: toW, w: wire.NewFrameWriter(toW), stderr: &tailBuffer{},
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
		s.live[c] = struct{}{}
	} else {
		err = fmt.Errorf("pool: starting a worker process: %w", err)
	}
	killed := s.dead
	s.mu.Unlock()
	toR.Close()
	fromW.Close()
	if err != nil {
		toW.Close()
		fromR.Close()
		return nil, err
	}
	s.wg.Add(2)
	go c.read(fromR)
	go c.wait(fromR)
	if killed {
		c.Kill()
	}
	return c, nil
}

// childEnviron is a child's environment: ours, with the parent's pid in
// childEnv, GOMAXPROCS=1 unless ours sets it (see pool.ProcessMain), and no
// pause at exit when it is built with -race (the race
// runtime waits 1s by default before exiting, and a retired child's
// replacement waits for it to be gone).
func childEnviron() []string {
	env := append(os.Environ(), childEnv+"="+strconv.Itoa(os.Getpid()))
	if os.Getenv("GOMAXPROCS") == "" {
		env = append(env, "GOMAXPROCS=1")
	}
	if race := os.Getenv("GORACE"); !strings.Contains(race, "atexit_sleep_ms") {
		env = append(env, strings.TrimSpace("GORACE="+race+" atexit_sleep_ms=0"))
	}
	return env
}

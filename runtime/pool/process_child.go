package pool

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"reflect"
	"runtime/debug"
	"strconv"
	"sync"
	"time"
)

// childServer is the child's side: its main goroutine reads frames and hands
// calls to one runner goroutine, so that a cancel frame reaches a running task.
// The parent may queue several calls (at most childQueue); the runner runs
// them one at a time, in order, and writes each reply before it starts the
// next call, so that a crash loses no finished result.
type childServer struct {
	w     *frameWriter
	calls chan childCall

	mu         sync.Mutex
	curID      uint64             // the call running now, 0 when none
	cancel     context.CancelFunc // its ctx's
	canceledTo uint64             // every call up to this id is cancelled
}

// childQueue bounds the calls a parent queues in a child: the window of a
// pipelined Map or Stream (procMaxWindow) is under it, so the child's main
// goroutine never waits to queue a call and always reads the next frame.
const childQueue = 2 * procMaxWindow

// childCall is one task for the runner.
type childCall struct {
	id       uint64
	run      func(context.Context) (any, error)
	deadline int64 // unix ns, 0 for none
}

// serveChild serves tasks until the parent closes its pipe or dies, then kills
// its own process group, itself included. It returns only when the parent is
// gone before it starts serving. parent is the parent's pid, as the parent
// wrote it.
func serveChild(parent string) int {
	// Ctrl+C goes to the parent alone, which decides: a child must not die
	// half-way through a task on its own.
	signal.Ignore(os.Interrupt)
	if pid, err := strconv.Atoi(parent); err != nil || pid != os.Getppid() {
		return 0 // the parent died before this child could ask to die with it
	}
	killGroupOnTerm()
	in, out := childPipe(3, "poolgen-tasks"), childPipe(4, "poolgen-results")
	s := &childServer{w: newFrameWriter(out), calls: make(chan childCall, childQueue)}
	if s.w.send(frameHello, 0, nil) != nil {
		return 0
	}
	go s.runCalls()
	fr := newFrameReader(in)
	for {
		kind, id, err := fr.next()
		if err != nil {
			// The parent retired this child, or died (its pipe may end
			// before the kernel tells this child so), or a task closed the
			// pipe's descriptor, as tidy-up code does. Either way, what this
			// child's tasks started ends with it.
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				fmt.Fprintf(os.Stderr, "pool: the worker process lost its pipes to the pool: %v\n", err)
			}
			killOwnGroup()
			return 0
		}
		switch kind {
		case frameCall:
			s.accept(fr, id)
		case frameCancel:
			s.cancelCall(id)
		case frameRevoke:
			s.revoke()
		}
	}
}

// accept decodes a call frame and queues the call for the runner, or answers
// at once with an error.
func (s *childServer) accept(fr *frameReader, id uint64) {
	name, err := fr.str()
	var deadline int64
	if err == nil {
		deadline, err = fr.varint()
	}
	if err != nil {
		s.fail(id, fmt.Errorf("pool: malformed call frame: %w", err), errBroken)
		return
	}
	e := lookup(name)
	if e == nil {
		// Read the argument anyway: the gob stream carries type descriptions.
		class := errPlain
		if fr.dec.DecodeValue(reflect.Value{}) != nil {
			class = errBroken
		}
		s.fail(id, fmt.Errorf("pool: no function is registered as %q in the worker process (was its package linked into %s?)", name, os.Args[0]), class)
		return
	}
	var run func(context.Context) (any, error)
	err = catchPanic(func() (err error) {
		run, err = e.decode(fr.dec)
		return err
	})
	if err != nil {
		s.reply(id, nil, fmt.Errorf("pool: decoding the argument of %s: %w", name, err), errBroken)
		return
	}
	s.calls <- childCall{id: id, run: run, deadline: deadline}
}

// cancelCall cancels every call up to id: the running one's ctx now, the
// queued ones before they start.
func (s *childServer) cancelCall(id uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.canceledTo = max(s.canceledTo, id)
	if s.curID != 0 && s.curID <= id {
		s.cancel()
	}
}

// revoke answers the calls queued behind the running one without running
// them: the parent gives them to another child. A call the runner takes
// first runs as usual.
func (s *childServer) revoke() {
	for {
		select {
		case c := <-s.calls:
			s.fail(c.id, errRevoked, errNotRun)
		default:
			return
		}
	}
}

// errRevoked answers a call that the parent revoked; the parent never shows it.
var errRevoked = errors.New("pool: revoked before it started")

// errNotStarted answers a queued call that was cancelled before its turn.
var errNotStarted = fmt.Errorf("pool: cancelled before it started: %w", context.Canceled)

// runCalls runs the calls one at a time and sends each one's reply. A call
// cancelled while queued, or queued behind a reply that broke the stream, is
// answered without running.
func (s *childServer) runCalls() {
	for c := range s.calls {
		if s.w.isBroken() {
			s.fail(c.id, errBrokenStream, errNotRun)
			continue
		}
		ctx, cancel := context.WithCancel(context.Background())
		if c.deadline != 0 {
			ctx, cancel = context.WithDeadline(context.Background(), time.Unix(0, c.deadline))
		}
		s.mu.Lock()
		if c.id <= s.canceledTo {
			s.mu.Unlock()
			cancel()
			s.fail(c.id, errNotStarted, errCanceled|errNotRun)
			continue
		}
		s.curID, s.cancel = c.id, cancel
		s.mu.Unlock()

		v, err := runRecovered(ctx, c.run)

		s.mu.Lock()
		s.curID, s.cancel = 0, nil
		s.mu.Unlock()
		cancel()
		s.reply(c.id, v, err, 0)
	}
}

// runRecovered calls run and turns a panic into a *PanicError.
func runRecovered(ctx context.Context, run func(context.Context) (any, error)) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: fmt.Sprint(r), Stack: debug.Stack()}
		}
	}()
	return run(ctx)
}

// reply sends a call's outcome; broken (errBroken or 0) says that the gob
// stream from the parent is broken. When the parent is gone the send fails,
// and the main goroutine sees the end of the other pipe and exits.
func (s *childServer) reply(id uint64, v any, err error, broken byte) {
	if err == nil {
		encErr := s.w.sendValue(frameResult, id, nil, v)
		if encErr == nil || errors.As(encErr, new(*pipeError)) {
			return
		}
		err, broken = fmt.Errorf("pool: encoding the result: %w", encErr), errBroken
	}
	var pe *PanicError
	if errors.As(err, &pe) {
		if s.w.isBroken() {
			broken = errBroken
		}
		s.w.send(framePanic, id, func(b *bytes.Buffer) {
			b.WriteByte(broken)
			putStr(b, fmt.Sprint(pe.Value))
			putStr(b, string(pe.Stack))
		})
		return
	}
	class := errPlain
	if errors.Is(err, context.DeadlineExceeded) {
		class = errDeadline
	} else if errors.Is(err, context.Canceled) {
		class = errCanceled
	}
	s.fail(id, err, class|broken)
}

// fail sends an error reply. The frame holds no gob message, so a broken
// stream still carries it; errBroken in class tells the parent to retire this
// child.
func (s *childServer) fail(id uint64, err error, class byte) {
	if s.w.isBroken() {
		class |= errBroken
	}
	s.w.send(frameError, id, func(b *bytes.Buffer) {
		b.WriteByte(class)
		putStr(b, err.Error())
	})
}

package remote

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/poolgen/poolgen/runtime/internal/wire"
)

// Func is a registered function as the engine runs it: it decodes its
// argument, calls the typed function and encodes its result.
type Func func(ctx context.Context, arg []byte) ([]byte, error)

// registry maps the names given to Register to their functions.
var registry = struct {
	mu    sync.Mutex
	funcs map[string]Func
}{funcs: map[string]Func{}}

// Register makes fn callable as name on every worker of this program. It
// panics when name is already registered.
func Register(name string, fn Func) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if _, dup := registry.funcs[name]; dup {
		panic(fmt.Sprintf("pool: RegisterProcess: %q is already registered", name))
	}
	registry.funcs[name] = fn
}

// lookup returns the function registered as name, or nil.
func lookup(name string) Func {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	return registry.funcs[name]
}

// A Server is the worker's side: it runs the calls that reach it on one
// runner goroutine, one at a time, in order, and sends each reply before it
// starts the next call, so that a crash loses no finished result. Accept,
// CancelUpTo and Revoke come from the goroutine that reads the calls, which
// never waits: a cancel reaches a running call at once.
type Server struct {
	reply func(m *wire.Msg) // sends a reply; safe for concurrent use
	calls chan queuedCall

	mu         sync.Mutex
	curID      uint64             // the call running now, 0 when none
	cancel     context.CancelFunc // its ctx's
	canceledTo uint64             // every call up to this id is cancelled
	stopped    bool               // Stop was called: no call starts
}

// CallCtx is the ctx, under parent, of a call with deadline (a wire.Msg's
// Deadline: unix ns, 0 for none).
func CallCtx(parent context.Context, deadline int64) (context.Context, context.CancelFunc) {
	if deadline != 0 {
		return context.WithDeadline(parent, time.Unix(0, deadline))
	}
	return context.WithCancel(parent)
}

// queuedCall is a call accepted and not started: what Run needs of it.
type queuedCall struct {
	id       uint64
	deadline int64 // unix ns, 0 for none
	fn       Func
	arg      []byte
}

// NewServer returns a server that queues up to queue calls and sends
// replies with reply. Run runs them.
func NewServer(queue int, reply func(m *wire.Msg)) *Server {
	return &Server{reply: reply, calls: make(chan queuedCall, queue)}
}

// Accept queues a call, or answers it at once when no function is
// registered under its name. m's bytes are copied.
func (s *Server) Accept(m *wire.Msg) {
	fn := lookup(m.Name)
	if fn == nil {
		s.reply(&wire.Msg{Kind: wire.KindError, ID: m.ID, Text: fmt.Sprintf("pool: no function is registered as %q in the worker process (was its package linked into %s?)", m.Name, os.Args[0])})
		return
	}
	s.calls <- queuedCall{id: m.ID, deadline: m.Deadline, fn: fn, arg: append([]byte(nil), m.Value...)}
}

// CancelUpTo cancels every call up to id: the running one's ctx now, the
// queued ones before they start.
func (s *Server) CancelUpTo(id uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.canceledTo = max(s.canceledTo, id)
	if s.curID != 0 && s.curID <= id {
		s.cancel()
	}
}

// Revoke answers the calls queued behind the running one unrun: the parent
// gives them to another worker. A call the runner takes first runs as usual.
func (s *Server) Revoke() {
	for {
		select {
		case c := <-s.calls:
			s.reply(&wire.Msg{Kind: wire.KindNotRun, ID: c.id, Text: "pool: revoked before it started"})
		default:
			return
		}
	}
}

// Stop makes Run start no more calls and reports whether a call runs now.
func (s *Server) Stop() (running bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	return s.curID != 0
}

// errNotStarted answers a queued call that was cancelled before its turn.
var errNotStarted = fmt.Errorf("pool: cancelled before it started: %w", context.Canceled)

// Run runs the calls one at a time and sends each one's reply; it never
// returns. A call cancelled while queued is answered without running.
func (s *Server) Run() {
	for c := range s.calls {
		ctx, cancel := CallCtx(context.Background(), c.deadline)
		s.mu.Lock()
		if s.stopped {
			s.mu.Unlock()
			cancel()
			continue // nobody is left to answer
		}
		if c.id <= s.canceledTo {
			s.mu.Unlock()
			cancel()
			s.reply(&wire.Msg{Kind: wire.KindNotRun, ID: c.id, Class: wire.ClassCanceled, Text: errNotStarted.Error()})
			continue
		}
		s.curID, s.cancel = c.id, cancel
		s.mu.Unlock()

		v, err := runRecovered(ctx, c.fn, c.arg)

		s.mu.Lock()
		s.curID, s.cancel = 0, nil
		s.mu.Unlock()
		cancel()
		s.reply(replyOf(c.id, v, err))
	}
}

// runRecovered calls fn and turns a panic into a *wire.Panic.
func runRecovered(ctx context.Context, fn Func, arg []byte) (v []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &wire.Panic{Value: r, Stack: debug.Stack()}
		}
	}()
	return fn(ctx, arg)
}

// replyOf is the reply to call id that returned v and err.
func replyOf(id uint64, v []byte, err error) *wire.Msg {
	var p *wire.Panic
	switch {
	case err == nil:
		return &wire.Msg{Kind: wire.KindResult, ID: id, Value: v}
	case errors.As(err, &p):
		return &wire.Msg{Kind: wire.KindPanic, ID: id, Text: fmt.Sprint(p.Value), Stack: p.Stack}
	}
	return &wire.Msg{Kind: wire.KindError, ID: id, Class: wire.ClassOf(err), Text: err.Error()}
}

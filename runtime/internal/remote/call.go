package remote

import (
	"context"
	"errors"
	"time"

	"github.com/poolgen/poolgen/runtime/internal/wire"
)

// Call runs the function registered as name with arg on a worker of b and
// returns its result's bytes. It waits for a free worker, then for the
// reply, or until ctx ends: then it returns ctx.Err() itself at once, tells
// the worker to cancel the call, and leaves the worker to a watcher that
// kills it unless the call returns within b's grace period. When the worker
// dies running the call, Call returns the worker's Err. A timeout > 0 is a
// deadline on the call from the moment it reaches its worker, which is idle
// then: the call's start.
func Call(ctx context.Context, b Backend, name string, arg []byte, timeout time.Duration) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		c, err := b.Acquire(ctx)
		if err != nil {
			return nil, err
		}
		v, again, err := callOn(ctx, b, c, name, arg, timeout, attempt < 3)
		if !again {
			return v, err
		}
	}
}

// callOn is Call on worker c, which the caller holds. again says that c died
// before the call reached it, so that it never ran, and mayRetry let Call try
// another worker.
func callOn(ctx context.Context, b Backend, c Conn, name string, arg []byte, timeout time.Duration, mayRetry bool) (v []byte, again bool, err error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	var deadline int64
	if d, ok := ctx.Deadline(); ok {
		deadline = d.UnixNano()
	}
	call := &single{id: c.NextID(), res: make(chan *wire.Msg, 1)}
	c.SetHandler(call)
	if err := c.Add(&wire.Msg{Kind: wire.KindCall, ID: call.id, Name: name, Deadline: deadline, Grace: b.CallGrace(), Value: arg}); err != nil {
		b.Release(c, 0, false)
		return nil, false, err
	}
	if wrote, err := c.Flush(); err != nil {
		c.Kill()
		if !wrote && mayRetry {
			return nil, true, nil // the worker died before the call reached it: it never ran
		}
		<-c.Dead()
		return nil, false, c.Err()
	}
	select {
	case r := <-call.res:
		b.Release(c, 1, false)
		v, err = replyOutcome(r)
	case <-c.Dead():
		select {
		case r := <-call.res: // the reply came just before the end
			v, err = replyOutcome(r)
		default:
			err = c.Err()
		}
	case <-ctx.Done():
		c.Send(&wire.Msg{Kind: wire.KindCancel, ID: call.id}) // if this fails the worker is ending anyway
		b.Watch(func() { watchGrace(b, c, call.res) })
		err = ctx.Err()
	}
	return v, false, err
}

// single is the Handler of one Call in flight: its reply comes on res.
type single struct {
	id       uint64
	res      chan *wire.Msg
	answered bool // read by the Conn's reply goroutine only
}

func (s *single) Handle(m *wire.Msg) bool {
	if s.answered || m.ID != s.id {
		return false
	}
	s.answered = true
	r := *m
	r.Value = append([]byte(nil), m.Value...) // m's bytes are the Conn's to reuse
	s.res <- &r
	return true
}

// watchGrace waits, after c's call was cancelled, for the call to return
// within the grace period; else it kills c.
func watchGrace(b Backend, c Conn, res <-chan *wire.Msg) {
	t := time.NewTimer(b.Grace())
	defer t.Stop()
	select {
	case <-res:
		b.Release(c, 1, false)
	case <-c.Dead():
	case <-t.C:
		c.Kill()
	case <-b.Killed():
		c.Kill()
	}
}

// replyOutcome turns a reply into a result's bytes or an error: a
// *wire.RemoteError for an error the function returned, a *RemotePanic for
// its panic.
func replyOutcome(m *wire.Msg) ([]byte, error) {
	switch m.Kind {
	case wire.KindResult:
		return m.Value, nil
	case wire.KindPanic:
		return nil, &RemotePanic{Value: m.Text, Stack: m.Stack}
	case wire.KindError, wire.KindNotRun:
		if m.Class >= ClassBackend && BackendError != nil {
			return nil, BackendError(m)
		}
		return nil, &wire.RemoteError{Text: m.Text, Class: m.Class}
	}
	return nil, errors.New("pool: unknown reply from a worker")
}

// RemotePanic is a panic of a function on a worker, or of a value's gob
// methods there: the panic value as text, and the stack.
type RemotePanic struct {
	Value string
	Stack []byte
}

func (e *RemotePanic) Error() string { return "panic: " + e.Value }

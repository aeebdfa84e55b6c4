package remote

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/poolgen/poolgen/runtime/internal/wire"
)

// fakeBackend is a Backend of in-process workers, each a goroutine that runs
// calls in order with run, for testing the engine without processes.
type fakeBackend struct {
	run    func(ctx context.Context, arg []byte) ([]byte, error)
	tokens chan struct{} // one per worker alive
	idle   chan *fakeConn
	killed chan struct{}
	wg     sync.WaitGroup

	mu    sync.Mutex
	conns []*fakeConn // every worker started
}

func newFakeBackend(workers int, run func(ctx context.Context, arg []byte) ([]byte, error)) *fakeBackend {
	return &fakeBackend{run: run, tokens: make(chan struct{}, workers), idle: make(chan *fakeConn, workers), killed: make(chan struct{})}
}

func (b *fakeBackend) Acquire(ctx context.Context) (Conn, error) {
	select {
	case c := <-b.idle:
		return c, nil
	case b.tokens <- struct{}{}:
		c := &fakeConn{b: b, in: make(chan wire.Msg, 2*MaxWindow), dead: make(chan struct{}), cancel: map[uint64]context.CancelFunc{}}
		b.mu.Lock()
		b.conns = append(b.conns, c)
		b.mu.Unlock()
		b.wg.Add(1)
		go c.serve()
		return c, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (b *fakeBackend) Release(c Conn, ran int, retire bool) { b.idle <- c.(*fakeConn) }
func (b *fakeBackend) Grace() time.Duration                 { return time.Second }
func (b *fakeBackend) CallGrace() int64                     { return 0 }
func (b *fakeBackend) MaxTasks() int                        { return 0 }
func (b *fakeBackend) Killed() <-chan struct{}              { return b.killed }
func (b *fakeBackend) Watch(f func())                       { b.wg.Add(1); go func() { defer b.wg.Done(); f() }() }

// close ends every worker, idle or held, and waits for them.
func (b *fakeBackend) close() {
	close(b.killed)
	b.mu.Lock()
	for _, c := range b.conns {
		c.Kill()
	}
	b.mu.Unlock()
	b.wg.Wait()
}

// fakeConn is one worker: serve runs its calls in order; Revoke and Cancel
// are handled as they arrive, as a child's reading goroutine does.
type fakeConn struct {
	b      *fakeBackend
	nextID uint64
	buf    []wire.Msg
	in     chan wire.Msg
	dead   chan struct{}
	once   sync.Once

	mu       sync.Mutex
	h        Handler
	cancel   map[uint64]context.CancelFunc
	canceled uint64
}

func (c *fakeConn) NextID() uint64        { c.nextID++; return c.nextID }
func (c *fakeConn) Add(m *wire.Msg) error { c.buf = append(c.buf, *m); return nil }
func (c *fakeConn) Tasks() int            { return 0 }
func (c *fakeConn) Dead() <-chan struct{} {
	return c.dead
}
func (c *fakeConn) Err() error { return errors.New("fake worker killed") }
func (c *fakeConn) Kill()      { c.once.Do(func() { close(c.dead) }) }
func (c *fakeConn) SetHandler(h Handler) {
	c.mu.Lock()
	c.h = h
	c.mu.Unlock()
}

func (c *fakeConn) Flush() (bool, error) {
	for _, m := range c.buf {
		c.in <- m
	}
	wrote := len(c.buf) > 0
	c.buf = c.buf[:0]
	return wrote, nil
}

func (c *fakeConn) Send(m *wire.Msg) error {
	switch m.Kind {
	case wire.KindCancel:
		c.mu.Lock()
		c.canceled = max(c.canceled, m.ID)
		for id, cancel := range c.cancel {
			if id <= m.ID {
				cancel()
			}
		}
		c.mu.Unlock()
	case wire.KindRevoke:
		for {
			select {
			case q := <-c.in:
				c.reply(&wire.Msg{Kind: wire.KindNotRun, ID: q.ID})
				continue
			default:
			}
			return nil
		}
	}
	return nil
}

func (c *fakeConn) reply(m *wire.Msg) {
	c.mu.Lock()
	h := c.h
	c.mu.Unlock()
	h.Handle(m)
}

func (c *fakeConn) serve() {
	defer c.b.wg.Done()
	defer func() { <-c.b.tokens }()
	for {
		select {
		case m := <-c.in:
			ctx, cancel := context.WithCancel(context.Background())
			c.mu.Lock()
			c.cancel[m.ID] = cancel
			skip := m.ID <= c.canceled
			c.mu.Unlock()
			if skip {
				cancel()
				c.reply(&wire.Msg{Kind: wire.KindNotRun, ID: m.ID})
				continue
			}
			v, err := c.b.run(ctx, m.Value)
			cancel()
			c.reply(replyOf(m.ID, v, err))
		case <-c.dead:
			return
		}
	}
}

package cluster

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/poolgen/poolgen/runtime/internal/proc"
	"github.com/poolgen/poolgen/runtime/internal/remote"
	"github.com/poolgen/poolgen/runtime/internal/wire"
)

// backend is a pool's remote.Backend on a cluster: its Conns are slots of
// calls in flight, each with its own reply subject. A pool holds at most
// Workers(n) of them at once (its tasks and drivers hold them); the cluster's
// workers run the calls.
type backend struct {
	c         *Cluster
	grace     time.Duration // how long this side holds a cancelled call's slot
	callGrace int64         // what its calls carry: see wire.Msg's Grace
}

func (b *backend) Grace() time.Duration    { return b.grace }
func (b *backend) CallGrace() int64        { return b.callGrace }
func (b *backend) MaxTasks() int           { return 0 }
func (b *backend) Killed() <-chan struct{} { return b.c.killed }

func (b *backend) Watch(f func()) { b.c.goTracked(f) }

// Acquire returns a free slot, or a new one; it fails once the cluster is
// closed.
func (b *backend) Acquire(ctx context.Context) (remote.Conn, error) {
	c := b.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, proc.ErrClosed
	}
	if n := len(c.free); n > 0 {
		k := c.free[n-1]
		c.free = c.free[:n-1]
		return k, nil
	}
	k := &conn{c: c, pending: map[uint64]struct{}{}, dead: make(chan struct{})}
	n := strconv.FormatUint(c.nextConn.Add(1), 10)
	k.reply = replyPrefix + c.id + "." + n
	k.base = taskPrefix + c.id + "." + n + "."
	k.task = k.base + "0"
	sub, err := c.nc.Subscribe(k.reply, k.onReply)
	if err != nil {
		return nil, err
	}
	k.sub = sub
	c.conns[k] = struct{}{}
	return k, nil
}

// Release takes back a slot, all of whose calls are answered.
func (b *backend) Release(rc remote.Conn, _ int, retire bool) {
	k := rc.(*conn)
	c := b.c
	c.mu.Lock()
	if !retire && !c.closed && !k.isDead() {
		c.free = append(c.free, k)
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	k.Kill()
}

// conn is a slot: the calls sent on it go to the task stream in one message
// per Flush, and their replies come back on its reply subject, the first
// one per call only. Its task subject changes at each cancel, so that the
// calls it cancelled can be purged from the stream without the ones sent
// after.
type conn struct {
	c      *Cluster
	reply  string
	sub    *nats.Subscription
	nextID uint64 // the holder's
	buf    []byte // the batch being built: the holder's
	calls  int    // in buf

	mu      sync.Mutex
	base    string              // of task
	task    string              // the subject of its task messages: base and a generation
	gen     int                 // of task
	pending map[uint64]struct{} // calls sent and not answered

	hmu     sync.Mutex // held while a reply is handled
	h       remote.Handler
	killed  bool
	dead    chan struct{}
	errDead error
}

func (k *conn) NextID() uint64 { k.nextID++; return k.nextID }
func (k *conn) Tasks() int     { return 0 }

func (k *conn) SetHandler(h remote.Handler) {
	k.hmu.Lock()
	k.h = h
	k.hmu.Unlock()
}

func (k *conn) Dead() <-chan struct{} { return k.dead }
func (k *conn) Err() error            { return k.errDead }

func (k *conn) isDead() bool {
	select {
	case <-k.dead:
		return true
	default:
		return false
	}
}

// Add buffers a call for the next Flush, or fails it with
// ErrPayloadTooLarge. A batch that would grow over the max payload is
// published first.
func (k *conn) Add(m *wire.Msg) error {
	start := len(k.buf)
	k.buf = appendCall(k.buf, m)
	if n := len(k.buf) - start; n > k.c.maxValue {
		k.buf = k.buf[:start]
		return fmt.Errorf("cluster: the argument of %s takes %d bytes, over the server's max payload of %d: %w", m.Name, n, k.c.maxValue, ErrPayloadTooLarge)
	}
	if len(k.buf) > k.c.maxValue {
		call := slices.Clone(k.buf[start:])
		k.buf = k.buf[:start]
		if _, err := k.Flush(); err != nil {
			return err
		}
		k.buf = append(k.buf, call...)
	}
	k.mu.Lock()
	k.pending[m.ID] = struct{}{}
	k.mu.Unlock()
	k.calls++
	return nil
}

// Flush publishes the buffered calls as one task message.
func (k *conn) Flush() (bool, error) {
	if k.calls == 0 {
		return false, nil
	}
	k.mu.Lock()
	subject := k.task
	k.mu.Unlock()
	msg := &nats.Msg{Subject: subject, Data: k.buf, Header: nats.Header{hdrReply: {k.reply}, hdrFrom: {k.c.id}}}
	err := k.c.nc.PublishMsg(msg)
	k.buf, k.calls = k.buf[:0], 0
	if err != nil {
		return false, err
	}
	return true, nil
}

// Send sends a Cancel: every worker cancels the calls up to its id, those
// queued are purged from the stream, and the slot answers them all at once,
// unrun (a reply that a worker sent first wins). Revoke is for calls queued
// behind a hung one in a single worker; here another worker takes them.
func (k *conn) Send(m *wire.Msg) error {
	if m.Kind != wire.KindCancel {
		return nil
	}
	k.mu.Lock()
	var ids []uint64
	for id := range k.pending {
		if id <= m.ID {
			ids = append(ids, id)
		}
	}
	old := k.task
	k.gen++
	k.task = k.base + strconv.Itoa(k.gen)
	k.mu.Unlock()
	c := k.c
	err := c.nc.Publish(cancelSubject, appendCancel(nil, k.reply, m.ID))
	var notRun []byte
	for _, id := range ids {
		notRun = appendCall(notRun, &wire.Msg{Kind: wire.KindNotRun, ID: id, Class: wire.ClassCanceled, Text: "cluster: cancelled"})
	}
	if len(notRun) > 0 {
		c.nc.Publish(k.reply, notRun)
	}
	c.purge(old)
	return err
}

// purge deletes the task messages on subject from the stream, in the
// background.
func (c *Cluster) purge(subject string) {
	c.goTracked(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if s, err := c.js.Stream(ctx, streamName); err == nil {
			s.Purge(ctx, jetstream.WithPurgeSubject(subject))
		}
	})
}

// Kill cancels the slot's calls and retires it: it takes no more replies.
func (k *conn) Kill() {
	k.hmu.Lock()
	if k.killed {
		k.hmu.Unlock()
		return
	}
	k.killed = true
	k.errDead = errClosed
	k.hmu.Unlock()
	k.c.nc.Publish(cancelSubject, appendCancel(nil, k.reply, ^uint64(0)))
	k.mu.Lock()
	task := k.task
	k.mu.Unlock()
	k.c.purge(task)
	k.sub.Unsubscribe()
	k.c.mu.Lock()
	delete(k.c.conns, k)
	k.c.mu.Unlock()
	close(k.dead)
}

// onReply hands a batch of replies to the slot's holder, but for calls
// answered already.
func (k *conn) onReply(msg *nats.Msg) {
	replies, err := parseBatch(msg.Data)
	if err != nil {
		return
	}
	if class := msg.Header.Get(hdrClass); class != "" && len(replies) == 1 {
		n, _ := strconv.Atoi(class)
		replies[0].Class = wire.Class(n)
	}
	k.hmu.Lock()
	defer k.hmu.Unlock()
	for i := range replies {
		m := &replies[i]
		k.mu.Lock()
		_, ok := k.pending[m.ID]
		delete(k.pending, m.ID)
		k.mu.Unlock()
		if ok && !k.killed && k.h != nil {
			k.h.Handle(m)
		}
	}
}

// publishReply sends reply m alone to subject, encoded in buf's room. A
// class of this package's travels in a header.
func publishReply(nc *nats.Conn, subject string, m *wire.Msg, buf []byte) ([]byte, error) {
	msg := &nats.Msg{Subject: subject}
	if m.Class >= remote.ClassBackend {
		msg.Header = nats.Header{hdrClass: {strconv.Itoa(int(m.Class))}}
		r := *m
		r.Class = wire.ClassPlain
		m = &r
	}
	buf = appendCall(buf[:0], m)
	msg.Data = buf
	return buf, nc.PublishMsg(msg)
}

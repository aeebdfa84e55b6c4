package cluster

import (
	"sync"
	"time"

	"github.com/poolgen/poolgen/runtime/internal/remote"
	"github.com/poolgen/poolgen/runtime/internal/wire"
)

// Replies travel in batches, as calls do: a message per reply would cap a
// Map at the rate of NATS messages. A batch goes when it holds replyBatch
// replies, or replyDelay after its first.
const (
	replyBatch = 64
	replyDelay = 200 * time.Microsecond
)

// replies sends the replies of a task message's calls.
type replies struct {
	w     *worker
	reply string
	calls []wire.Msg

	mu     sync.Mutex
	sent   []bool
	buf    []byte // the batch being built
	n      int    // replies in buf
	one    []byte // a reply's encoding
	timer  *time.Timer
	closed bool // the job is over: a late reply goes at once
}

// deliver sends the reply of input seq.
func (o *replies) deliver(seq int, value []byte, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent[seq] = true
	r := replyOf(o.calls[seq].ID, value, err)
	nc, maxValue := o.w.c.nc, o.w.c.maxValue
	if r.Class < remote.ClassBackend {
		o.one = appendCall(o.one[:0], r)
		if len(o.one) > maxValue {
			r = &wire.Msg{Kind: wire.KindError, ID: r.ID, Class: classLarge, Text: "result"}
		}
	}
	if r.Class >= remote.ClassBackend { // alone, its class in a header
		o.flushLocked()
		o.one, _ = publishReply(nc, o.reply, r, o.one)
		return
	}
	if len(o.buf)+len(o.one) > maxValue {
		o.flushLocked()
	}
	o.buf = append(o.buf, o.one...)
	o.n++
	switch {
	case o.n >= replyBatch || o.closed:
		o.flushLocked()
	case o.timer == nil:
		o.timer = time.AfterFunc(replyDelay, o.flush)
	}
}

// flush sends the batch.
func (o *replies) flush() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flushLocked()
}

// flushLocked sends the batch; o.mu is held.
func (o *replies) flushLocked() {
	if o.timer != nil {
		o.timer.Stop()
		o.timer = nil
	}
	if o.n == 0 {
		return
	}
	o.w.c.nc.Publish(o.reply, o.buf)
	o.buf, o.n = o.buf[:0], 0
}

// close sends what is left: the job is over.
func (o *replies) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.closed = true
	o.flushLocked()
}

// all reports whether every call has its reply.
func (o *replies) all() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, s := range o.sent {
		if !s {
			return false
		}
	}
	return true
}

// rest answers the calls that did not run with err, the job's end: their
// deadline passed, or their submitter cancelled them.
func (o *replies) rest(err error) {
	if err == nil {
		return
	}
	o.mu.Lock()
	var seqs []int
	for i, s := range o.sent {
		if !s {
			seqs = append(seqs, i)
		}
	}
	o.mu.Unlock()
	for _, i := range seqs {
		o.deliver(i, nil, err)
	}
}

package cluster

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// maxDeliveries is the advisory that the server sends when a task message
// was delivered MaxDeliver times and its last worker fell silent too. Such a
// message stays in the stream (nats-server #5564): its submitter answers its
// calls with a *WorkerLostError and deletes it.
const maxDeliveries = "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + streamName + "." + consumerName

// watchLost answers the calls of this submitter's task messages that every
// worker lost, until Close.
func (c *Cluster) watchLost() (*nats.Subscription, error) {
	return c.nc.Subscribe(maxDeliveries, func(msg *nats.Msg) {
		var adv struct {
			Seq        uint64 `json:"stream_seq"`
			Deliveries int    `json:"deliveries"`
		}
		if json.Unmarshal(msg.Data, &adv) != nil {
			return
		}
		ctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
		defer cancel()
		s, err := c.js.Stream(ctx, streamName)
		if err != nil {
			return
		}
		m, err := s.GetMsg(ctx, adv.Seq)
		if err != nil || m.Header.Get(hdrFrom) != c.id {
			return // gone, or another submitter's to answer
		}
		s.DeleteMsg(ctx, adv.Seq)
		c.answerLost(m, adv.Deliveries)
	})
}

// answerLost answers every call of task message m with a *WorkerLostError.
func (c *Cluster) answerLost(m *jetstream.RawStreamMsg, attempts int) {
	calls, err := parseBatch(m.Data)
	reply := m.Header.Get(hdrReply)
	if err != nil || reply == "" {
		return
	}
	var buf []byte
	for _, call := range calls {
		buf, _ = publishReply(c.nc, reply, lostReply(call.ID, attempts), buf)
	}
}

// submitters is what a worker knows of the submitters of the tasks it
// runs: when each was last heard of.
type submitters struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

// heard records that submitter from is alive.
func (s *submitters) heard(msg *nats.Msg) {
	from := msg.Subject[len(alivePrefix):]
	s.mu.Lock()
	s.seen[from] = time.Now()
	s.mu.Unlock()
}

// silent reports whether from has not been heard of since before, or since
// ackWait if it was heard of.
func (s *submitters) silent(from string, since time.Time, ackWait time.Duration) bool {
	s.mu.Lock()
	last, ok := s.seen[from]
	s.mu.Unlock()
	if !ok || last.Before(since) {
		last = since
	}
	return time.Since(last) > ackWait
}

// watchSubmitters cancels the jobs whose submitter fell silent for AckWait:
// it died, and no one waits for their results. It returns when w.ctx ends.
func (w *worker) watchSubmitters() {
	t := time.NewTicker(max(w.ackWait/4, time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-w.ctx.Done():
			return
		}
		w.mu.Lock()
		for _, rs := range w.running {
			for _, r := range rs {
				if w.subs.silent(r.from, r.started, w.ackWait) {
					r.orphan.Store(true)
					r.cancel()
				}
			}
		}
		w.mu.Unlock()
	}
}

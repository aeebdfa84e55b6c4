package cluster

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/poolgen/poolgen/runtime/internal/remote"
	"github.com/poolgen/poolgen/runtime/internal/wire"
	"github.com/poolgen/poolgen/runtime/pool"
)

// fetchWait bounds a pull request for a task: a worker that stops leaves
// none open longer.
const fetchWait = 2 * time.Second

// Serve serves tasks until ctx ends, through child processes of this process
// as a pool with opts would run them (Workers(n): n tasks at once,
// MaxTasksPerWorker). Each task runs with the deadline and the ProcessGrace
// of the pool that submitted it. When ctx ends, the tasks running are
// cancelled and handed back to the stream for another worker.
func (c *Cluster) Serve(ctx context.Context, opts ...pool.Option) error {
	p := pool.New(context.Background(), opts...)
	set, slots := remote.PoolProcesses(p)
	w := &worker{c: c, ctx: ctx, set: set, ackWait: c.ackWait, running: map[string][]*running{}, canceled: map[string]uint64{}}
	w.subs.seen = map[string]time.Time{}
	sub, err := c.nc.Subscribe(cancelSubject, w.onCancel)
	if err != nil {
		p.Close(context.Background())
		return fmt.Errorf("cluster: serve: %w", err)
	}
	defer sub.Unsubscribe()
	alive, err := c.nc.Subscribe(alivePrefix+"*", w.subs.heard)
	if err != nil {
		p.Close(context.Background())
		return fmt.Errorf("cluster: serve: %w", err)
	}
	defer alive.Unsubscribe()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.watchSubmitters()
	}()
	for range slots {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.fetchLoop()
		}()
	}
	wg.Wait()
	cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return p.Close(cctx)
}

// worker is the serving side of a Serve: it pulls task messages, one per
// slot, and runs each message's calls as a job on its child processes.
type worker struct {
	c       *Cluster
	ctx     context.Context
	set     remote.Backend
	ackWait time.Duration

	subs     submitters
	mu       sync.Mutex
	running  map[string][]*running // by reply subject
	canceled map[string]uint64     // by reply subject: every call up to this id is cancelled
}

// running is a task message being run: its first call's id and the cancel of
// its job.
type running struct {
	first   uint64
	from    string // the submitter
	started time.Time
	cancel  context.CancelFunc
	orphan  atomic.Bool // its submitter fell silent: it was cancelled
}

// fetchLoop pulls one task message at a time and runs it, until w.ctx ends.
func (w *worker) fetchLoop() {
	for w.ctx.Err() == nil {
		ctx, cancel := context.WithTimeout(w.ctx, fetchWait)
		b, err := w.c.cons.Fetch(1, jetstream.FetchContext(ctx))
		if err == nil {
			for m := range b.Messages() {
				w.run(m)
			}
		}
		cancel()
		if err != nil {
			select {
			case <-w.ctx.Done():
			case <-time.After(100 * time.Millisecond): // the connection is down: it comes back
			}
		}
	}
}

// onCancel cancels the running jobs that a cancel names, and remembers it
// for their calls that come later.
func (w *worker) onCancel(msg *nats.Msg) {
	reply, upTo, ok := parseCancel(msg.Data)
	if !ok {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.canceled[reply] = max(w.canceled[reply], upTo)
	for _, r := range w.running[reply] {
		if r.first <= upTo {
			r.cancel()
		}
	}
}

// start records a job about to run; false when its calls were cancelled.
func (w *worker) start(reply string, r *running) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if r.first <= w.canceled[reply] {
		return false
	}
	w.running[reply] = append(w.running[reply], r)
	return true
}

// finish forgets a job that ran.
func (w *worker) finish(reply string, r *running) {
	w.mu.Lock()
	defer w.mu.Unlock()
	rs := w.running[reply]
	for i := range rs {
		if rs[i] == r {
			rs = append(rs[:i], rs[i+1:]...)
			break
		}
	}
	if len(rs) == 0 {
		delete(w.running, reply)
	} else {
		w.running[reply] = rs
	}
}

// run runs the calls of task message m and sends their replies, then acks
// m. When the worker stops first, m goes back to the stream.
func (w *worker) run(m jetstream.Msg) {
	calls, err := parseBatch(m.Data())
	reply := m.Headers().Get(hdrReply)
	if err != nil || len(calls) == 0 || reply == "" {
		m.Term()
		return
	}
	first := &calls[0]
	var (
		ctx    context.Context
		cancel context.CancelFunc
	)
	if first.Deadline != 0 {
		ctx, cancel = context.WithDeadline(w.ctx, time.Unix(0, first.Deadline))
	} else {
		ctx, cancel = context.WithCancel(w.ctx)
	}
	defer cancel()
	r := &running{first: first.ID, from: m.Headers().Get(hdrFrom), started: time.Now(), cancel: cancel}
	if !w.start(reply, r) {
		m.Ack() // the submitter answered them
		return
	}
	defer w.finish(reply, r)
	stop := w.keepAlive(m)
	out := &replies{w: w, reply: reply, calls: calls, sent: make([]bool, len(calls))}
	job := &remote.Job{
		Backend:  graced{w.set, w.graceOf(first)},
		Name:     first.Name,
		Ctx:      ctx,
		Deadline: first.Deadline,
		Source:   &batchSource{calls: calls},
		Deliver:  out.deliver,
		Window:   len(calls),
	}
	var drivers sync.WaitGroup
	job.Spawn = func(d *remote.Driver) error {
		drivers.Add(1)
		go func() {
			defer drivers.Done()
			d.Run()
		}()
		return nil
	}
	job.Spawn(job.NewDriver())
	drivers.Wait()
	stop()
	if r.orphan.Load() {
		out.close()
		m.Ack() // no one waits for them
		return
	}
	if w.ctx.Err() != nil && !out.all() {
		out.close()
		m.Nak() // this worker stops: another one runs them
		return
	}
	out.rest(ctx.Err())
	out.close()
	m.Ack()
}

// keepAlive tells the server that m's calls still run, every third of
// AckWait, until stop is called.
func (w *worker) keepAlive(m jetstream.Msg) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(max(w.ackWait/3, time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-t.C:
				m.InProgress()
			case <-done:
				return
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}

// graced is a worker's child processes with the grace period of a task.
type graced struct {
	remote.Backend
	grace time.Duration
}

func (g graced) Grace() time.Duration { return g.grace }

// graceOf is the grace period of call m's task: its submitter's, when that
// pool was given ProcessGrace; else Serve's ProcessGrace.
func (w *worker) graceOf(m *wire.Msg) time.Duration {
	if m.Grace == 0 {
		return w.set.Grace()
	}
	return time.Duration(max(m.Grace, 0))
}

// batchSource is the inputs of a task message's job.
type batchSource struct {
	calls []wire.Msg
	next  int
	mu    sync.Mutex
}

func (s *batchSource) Take() (remote.Input, bool, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.next == len(s.calls) {
		return remote.Input{}, false, false
	}
	i := s.next
	s.next++
	return remote.Input{Seq: i, Arg: s.calls[i].Value}, true, true
}

func (s *batchSource) Items() <-chan remote.Input { return nil }

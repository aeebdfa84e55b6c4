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

// Serve serves tasks until ctx ends, through child processes of this process,
// as a pool with opts would run them: Workers(n) bounds the calls that run at
// once and the children, MaxTasksPerWorker replaces a child.
//
// A task brings its submitter's deadline and, when that pool was given one,
// its ProcessGrace; opts give the defaults. A call runs until the earlier of
// its submitter's deadline and opts' TaskTimeout from its start here, as a
// pool task's ctx ends at the earlier of its Submit ctx's deadline and its
// TaskTimeout: a submitter's distant deadline does not lift the bound that
// this worker sets. A call still running then fails with
// context.DeadlineExceeded, even when it ignores its ctx. A cancelled call's
// child is killed after the submitter's ProcessGrace, or else opts' (default
// 1s). Under a TaskTimeout the calls of a Map run one at a time on each
// child, as in process mode, instead of queued in windows.
//
// When ctx ends, the tasks running are cancelled and handed back to the
// stream for another worker; Serve returns once its children have exited,
// or with an error when it had to kill them.
func (c *Cluster) Serve(ctx context.Context, opts ...pool.Option) error {
	p := pool.New(context.Background(), opts...)
	set, slots, timeout := remote.PoolProcesses(p)
	w := &worker{c: c, ctx: ctx, set: set, slots: slots, timeout: timeout, ackWait: c.ackWait, running: map[string][]*running{}, canceled: map[string]uint64{}}
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
	slots   int           // Serve's Workers(n)
	timeout time.Duration // Serve's TaskTimeout; 0 for none
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
	ctx, cancel := remote.CallCtx(w.ctx, first.Deadline)
	defer cancel()
	r := &running{first: first.ID, from: m.Headers().Get(hdrFrom), started: time.Now(), cancel: cancel}
	if !w.start(reply, r) {
		m.Ack() // the submitter answered them
		return
	}
	defer w.finish(reply, r)
	stop := w.keepAlive(m)
	out := &replies{w: w, reply: reply, calls: calls, sent: make([]bool, len(calls))}
	b := graced{w.set, w.graceOf(first)}
	if w.timeout > 0 {
		w.runEach(ctx, b, calls, out)
	} else {
		runJob(ctx, b, calls, out)
	}
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

// runJob runs calls as a job on b's child processes, queued in windows.
func runJob(ctx context.Context, b remote.Backend, calls []wire.Msg, out *replies) {
	job := &remote.Job{
		Backend:  b,
		Name:     calls[0].Name,
		Ctx:      ctx,
		Deadline: calls[0].Deadline,
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
}

// runEach runs calls one at a time on each of up to Workers(n) child
// processes, each bounded by Serve's TaskTimeout from its start, even when
// it ignores its ctx: the call is then cancelled, and its child killed after
// b's grace. A call that ended with ctx (cancelled, or past its submitter's
// deadline) is left for run to answer.
func (w *worker) runEach(ctx context.Context, b remote.Backend, calls []wire.Msg, out *replies) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(w.slots, len(calls)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(calls); i = int(next.Add(1) - 1) {
				v, err := remote.Call(ctx, b, calls[i].Name, calls[i].Value, w.timeout)
				if err != nil && ctx.Err() != nil {
					return
				}
				out.deliver(i, v, err)
			}
		})
	}
	wg.Wait()
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

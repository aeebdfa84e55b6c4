// Package cluster runs a pool's isolate=process calls on worker processes
// and machines that pull tasks from NATS JetStream: pool.New(ctx,
// pool.Remote(c)) with a *Cluster runs the same generated wrappers, and
// ProcessFunc's Call, Map and Stream, as in process mode.
//
// Start runs the server inside this process, with no port and no files: the
// default, nothing to install. Dial joins an existing NATS server. A worker
// machine runs the same binary with POOLGEN_CLUSTER=nats://host:4222 in its
// environment: pool.ProcessMain then serves tasks until SIGINT or SIGTERM.
//
// Tasks go through one work-queue stream with one shared pull consumer, in
// batches (a Map sends a window of calls in one message); each worker runs
// them in its own child processes, as process mode does. Delivery is
// at-least-once: a task whose worker dies goes to another after AckWait, and
// the submitter keeps the first reply of each call.
package cluster

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
	"github.com/poolgen/poolgen/runtime/internal/remote"
)

// A Cluster is a connection to a NATS server with JetStream that runs tasks:
// a pool.Transport. Make one with Start or Dial; close it with Close.
type Cluster struct {
	cfg      config
	emb      *embedded // nil after Dial
	nc       *nats.Conn
	js       jetstream.JetStream
	cons     jetstream.Consumer
	id       string        // this submitter's, in task messages
	ackWait  time.Duration // the consumer's
	maxValue int           // the largest batch a task message may carry

	nextConn atomic.Uint64
	killed   chan struct{}   // closed by Close: watchers kill their calls
	ctx      context.Context // ends when Close begins
	stop     context.CancelFunc
	wg       sync.WaitGroup // watchers, purges, serving

	mu     sync.Mutex
	closed bool
	waited bool // Close has waited for wg
	free   []*conn
	conns  map[*conn]struct{} // alive
}

// Start runs a NATS server with JetStream inside this process and connects to
// it; ctx bounds starting, and the cluster runs until Close. Unless
// LocalWorkers is given, this process also serves the tasks (through its own
// child processes, as in process mode). The server keeps NATS's default max
// payload (1 MiB).
func Start(ctx context.Context, opts ...Option) (*Cluster, error) {
	cfg := newConfig(opts)
	emb, err := startServer(ctx, cfg)
	if err != nil {
		return nil, err
	}
	cfg.natsOpts = append(cfg.natsOpts, nats.InProcessServer(emb.srv))
	c, err := connect(ctx, "", cfg, true)
	if err != nil {
		emb.shutdown()
		return nil, err
	}
	c.emb = emb
	c.startWork()
	return c, nil
}

// Dial connects to an existing NATS server or cluster (comma-separated URLs)
// with JetStream enabled; ctx bounds connecting, also to a server that does
// not answer. The calling process serves no tasks unless it calls Serve.
func Dial(ctx context.Context, url string, opts ...Option) (*Cluster, error) {
	return connect(ctx, url, newConfig(opts), false)
}

// connect connects to url (or in process), and makes the stream and the
// consumer unless they exist.
func connect(ctx context.Context, url string, cfg config, owner bool) (*Cluster, error) {
	dialer := newCtxDialer(ctx)
	nopts := append([]nats.Option{nats.Name("poolgen"), nats.MaxReconnects(-1), nats.SetCustomDialer(dialer)}, cfg.natsOpts...)
	nc, err := nats.Connect(url, nopts...)
	dialer.release()
	if err != nil {
		if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
			err = fmt.Errorf("%w: %w", cerr, err)
		}
		return nil, fmt.Errorf("cluster: %w", err)
	}
	c := &Cluster{cfg: cfg, nc: nc, id: nuid.Next(), killed: make(chan struct{}), conns: map[*conn]struct{}{}}
	c.maxValue = int(nc.MaxPayload()) - 1024 // room for the headers
	if err := c.setup(ctx, owner); err != nil {
		nc.Close()
		return nil, err
	}
	c.ctx, c.stop = context.WithCancel(context.Background())
	if _, err := c.watchLost(); err != nil {
		nc.Close()
		return nil, fmt.Errorf("cluster: %w", err)
	}
	c.goTracked(c.heartbeat)
	return c, nil
}

// setup makes the work-queue stream and its one shared consumer. Start's
// settings win; Dial keeps those of a consumer that exists, so that AckWait
// and Retries are the same for every process.
func (c *Cluster) setup(ctx context.Context, owner bool) error {
	js, err := jetstream.New(c.nc)
	if err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	c.js = js
	_, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:      streamName,
		Subjects:  []string{taskPrefix + ">"},
		Retention: jetstream.WorkQueuePolicy,
		Storage:   jetstream.MemoryStorage,
	})
	if err != nil {
		return fmt.Errorf("cluster: making the task stream: %w", err)
	}
	if !owner {
		if c.cons, err = js.Consumer(ctx, streamName, consumerName); err == nil {
			c.ackWait = c.cons.CachedInfo().Config.AckWait
			return nil
		}
	}
	c.cons, err = js.CreateOrUpdateConsumer(ctx, streamName, jetstream.ConsumerConfig{
		Durable:       consumerName,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       c.cfg.ackWait,
		MaxDeliver:    c.cfg.retries + 1,
		MaxAckPending: -1,
	})
	if err != nil {
		return fmt.Errorf("cluster: making the task consumer: %w", err)
	}
	c.ackWait = c.cfg.ackWait
	return nil
}

// URL returns what a worker dials to join: "" when Start opened no port.
func (c *Cluster) URL() string {
	if c.emb == nil {
		return c.nc.ConnectedUrl()
	}
	return c.emb.url
}

// PoolBackend is for package pool's use: the backend of a pool with this
// grace period. Its calls carry it to the workers when graceSet (the pool
// was given ProcessGrace); otherwise the workers apply Serve's ProcessGrace.
func (c *Cluster) PoolBackend(grace time.Duration, graceSet bool) remote.Backend {
	b := &backend{c: c, grace: grace}
	if graceSet {
		b.callGrace = int64(grace)
		if grace <= 0 {
			b.callGrace = -1 // none; 0 would be the worker's default
		}
	}
	return b
}

// errClosed is how a call made after Close fails.
var errClosed = errors.New("cluster: closed")

// Close stops serving and sending tasks, ends the calls in flight (their
// workers cancel them), and closes the connection and the embedded server
// and its worker processes; it waits for all that, or until ctx ends.
func (c *Cluster) Close(ctx context.Context) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	close(c.killed)
	conns := slices.Collect(maps.Keys(c.conns))
	c.mu.Unlock()
	c.stop()
	for _, k := range conns {
		k.Kill()
	}
	done := make(chan struct{})
	go func() {
		c.wg.Wait()
		close(done)
	}()
	var err error
	select {
	case <-done:
		c.mu.Lock()
		c.waited = true
		c.mu.Unlock()
	case <-ctx.Done():
		err = fmt.Errorf("cluster: close: %w", ctx.Err())
	}
	c.nc.Close()
	if c.emb != nil {
		c.emb.shutdown()
	}
	return err
}

// goTracked runs f on a goroutine that Close waits for (unless Close is past
// waiting: then on one of its own).
func (c *Cluster) goTracked(f func()) {
	c.mu.Lock()
	if c.waited {
		c.mu.Unlock()
		go f()
		return
	}
	c.wg.Add(1)
	c.mu.Unlock()
	go func() {
		defer c.wg.Done()
		f()
	}()
}

// startWork serves tasks here, unless workers elsewhere do.
func (c *Cluster) startWork() {
	if c.cfg.local < 0 {
		c.goTracked(func() { c.Serve(c.ctx) })
	}
	for range c.cfg.local {
		c.goTracked(func() { c.localWorker(c.emb.url) })
	}
}

// heartbeat says that this submitter lives, every third of AckWait, until
// Close: the workers running its calls stop them when it falls silent.
func (c *Cluster) heartbeat() {
	t := time.NewTicker(c.ackWait / 3)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			c.nc.Publish(alivePrefix+c.id, nil)
		case <-c.ctx.Done():
			return
		}
	}
}

package cluster

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// embedded is the NATS server that Start runs in this process: JetStream on
// memory storage, no port unless asked. JetStream insists on a storage
// directory even when it stores nothing there: a temporary one, removed at
// shutdown.
type embedded struct {
	srv *server.Server
	dir string
	url string // "" without a port
}

// startServer starts the embedded server; it listens on cfg.listen, or on a
// loopback port when local workers need one.
func startServer(ctx context.Context, cfg config) (*embedded, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("cluster: starting the embedded NATS server: %w", err)
	}
	dir, err := os.MkdirTemp("", "poolgen-cluster-")
	if err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	opts := &server.Options{
		ServerName:         "poolgen",
		JetStream:          true,
		JetStreamMaxMemory: 1 << 30,
		JetStreamMaxStore:  1 << 20,
		StoreDir:           dir,
		NoSigs:             true,
		NoLog:              true,
		DontListen:         true,
	}
	addr := cfg.listen
	if addr == "" && cfg.local > 0 {
		addr = "127.0.0.1:0"
	}
	if addr != "" {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("cluster: Listen(%q): %w", addr, err)
		}
		opts.DontListen = false
		opts.Host = host
		if opts.Port, err = strconv.Atoi(port); err != nil || opts.Port == 0 {
			opts.Port = server.RANDOM_PORT
		}
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("cluster: %w", err)
	}
	e := &embedded{srv: srv, dir: dir}
	srv.Start()
	if err := e.ready(ctx); err != nil {
		e.shutdown()
		return nil, err
	}
	if addr != "" {
		e.url = srv.ClientURL()
	}
	return e, nil
}

// readyPoll is how long each look of ready waits for the server: long
// enough that ReadyForConnections sleeps between its checks (it spins on
// 25ms or less), short enough that ready sees ctx end promptly.
const readyPoll = 50 * time.Millisecond

// ready waits until the server accepts connections, for at most 10s, and
// until ctx ends: ReadyForConnections takes a duration, not a ctx, so ready
// asks it in slices of readyPoll.
func (e *embedded) ready(ctx context.Context) error {
	const most = 10 * time.Second
	giveUp := time.Now().Add(most)
	for !e.srv.ReadyForConnections(readyPoll) {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("cluster: starting the embedded NATS server: %w", err)
		}
		if time.Now().After(giveUp) {
			return fmt.Errorf("cluster: the embedded NATS server did not start in %v", most)
		}
	}
	return nil
}

// shutdown stops the server and removes its directory.
func (e *embedded) shutdown() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
	os.RemoveAll(e.dir)
}

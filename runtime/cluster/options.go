package cluster

import (
	"time"

	"github.com/nats-io/nats.go"
)

// An Option configures Start or Dial.
type Option func(*config)

type config struct {
	listen   string        // Start's listen address; "": no port
	local    int           // LocalWorkers' n; -1: not given
	ackWait  time.Duration // a worker silent this long loses its task
	retries  int           // redeliveries after a worker dies
	natsOpts []nats.Option // Dial's
}

func newConfig(opts []Option) config {
	c := config{local: -1, ackWait: 5 * time.Second, retries: 2}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// Listen makes Start also accept connections on addr, "127.0.0.1:0" for a
// free loopback port: workers on other machines dial URL. Without it Start
// opens no port (LocalWorkers opens one on loopback).
func Listen(addr string) Option { return func(c *config) { c.listen = addr } }

// LocalWorkers makes Start run n worker processes (this binary re-executed
// with POOLGEN_CLUSTER set, served from pool.ProcessMain, over a loopback
// listener) instead of serving tasks in this process, and replace one that
// dies. With 0 (and Listen), this process serves nothing: workers elsewhere
// do.
func LocalWorkers(n int) Option { return func(c *config) { c.local = max(n, 0) } }

// AckWait is how long a worker may stay silent before its task goes to
// another worker (default 5s). A worker heartbeats while a task runs, so a
// long task keeps its worker; only a dead one is silent.
func AckWait(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.ackWait = d
		}
	}
}

// Retries is how many times a task goes to another worker after the one
// running it died (default 2); after that its call fails with a
// *WorkerLostError.
func Retries(n int) Option { return func(c *config) { c.retries = max(n, 0) } }

// NATSOptions passes NATS's own options to the connection: credentials
// (nats.UserCredentials), nkeys (nats.Nkey), TLS (nats.Secure,
// nats.RootCAs, nats.ClientCert), a name.
func NATSOptions(o ...nats.Option) Option {
	return func(c *config) { c.natsOpts = append(c.natsOpts, o...) }
}

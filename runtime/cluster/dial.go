package cluster

import (
	"context"
	"net"
	"sync"

	"github.com/nats-io/nats.go"
)

// A ctxDialer bounds nats.Connect, which takes no ctx, by one: Connect waits
// its Timeout (2s) on each server that does not answer, for the dial and for
// the handshake after it. While Connect runs, the dialer dials under ctx and
// closes what it dialed when ctx ends, so Connect fails at once; release ends
// that, and later dials (reconnects, which outlive ctx) are plain ones. A
// NATSOptions(nats.SetCustomDialer(…)) replaces it: then only nats's Timeout
// bounds connecting.
type ctxDialer struct {
	dialer net.Dialer

	mu    sync.Mutex
	ctx   context.Context // nil once released
	stops []func() bool   // each stops closing one conn when ctx ends
}

// newCtxDialer returns a dialer bound by ctx until release.
func newCtxDialer(ctx context.Context) *ctxDialer {
	return &ctxDialer{dialer: net.Dialer{Timeout: nats.DefaultTimeout}, ctx: ctx}
}

// Dial is nats.CustomDialer's.
func (d *ctxDialer) Dial(network, address string) (net.Conn, error) {
	d.mu.Lock()
	ctx := d.ctx
	d.mu.Unlock()
	if ctx == nil {
		return d.dialer.Dial(network, address)
	}
	conn, err := d.dialer.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	d.mu.Lock()
	if d.ctx == nil {
		stop() // released while it dialed: the conn outlives ctx too
	} else {
		d.stops = append(d.stops, stop)
	}
	d.mu.Unlock()
	return conn, nil
}

// release unbinds the dialer from its ctx: the conns dialed so far stay open
// when it ends.
func (d *ctxDialer) release() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.ctx = nil
	for _, stop := range d.stops {
		stop()
	}
	d.stops = nil
}

package cluster

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestDialReturnsWhenItsCtxIsDone dials a server that accepts connections
// and never answers, which nats.Connect alone waits 2s for: Dial must return
// once its ctx ends, by deadline or cancel, with the ctx's error, and leave
// no goroutine.
func TestDialReturnsWhenItsCtxIsDone(t *testing.T) {
	url := silentServer(t)
	for _, tc := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 50*time.Millisecond)
		}, context.DeadlineExceeded},
		{"cancel", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			stop := time.AfterFunc(50*time.Millisecond, cancel)
			return ctx, func() { stop.Stop(); cancel() }
		}, context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := goleak.IgnoreCurrent() // silentServer's
			ctx, cancel := tc.ctx()
			defer cancel()
			begin := time.Now()
			c, err := Dial(ctx, url)
			failedPromptly(t, "Dial", time.Since(begin), c, err, tc.want)
			goleak.VerifyNone(t, before)
		})
	}
}

// silentServer listens on loopback, accepts connections and never writes to
// them, until the test ends; it returns the nats:// URL.
func silentServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
		for _, conn := range conns {
			conn.Close()
		}
	})
	return "nats://" + ln.Addr().String()
}

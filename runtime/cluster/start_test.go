package cluster

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestStartWithoutListenOpensNoPort checks DESIGN's "without Listen, Start
// opens no port" on the sockets themselves, not only on URL(): no socket of
// this process listens on TCP or is bound to a UDP port after Start that did
// not before. The same look with Listen must see the port it opens, so the
// look itself is checked too.
func TestStartWithoutListenOpensNoPort(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads this process's sockets from /proc, which only linux has")
	}
	t.Run("without Listen", func(t *testing.T) {
		before := boundSockets(t)
		start(t)
		if opened := newSockets(boundSockets(t), before); len(opened) > 0 {
			t.Errorf("Start without Listen opened %v", opened)
		}
	})
	t.Run("with Listen", func(t *testing.T) {
		before := boundSockets(t)
		start(t, Listen("127.0.0.1:0"))
		if opened := newSockets(boundSockets(t), before); len(opened) == 0 {
			t.Errorf("Start with Listen opened no port that boundSockets sees: the check without Listen would miss one")
		}
	})
}

// TestStartReturnsWhenItsCtxIsDone checks "ctx bounds starting": Start with a
// ctx already cancelled, or with a deadline shorter than starting takes,
// returns promptly with an error that is the ctx's, and leaves no goroutine
// and no child process.
func TestStartReturnsWhenItsCtxIsDone(t *testing.T) {
	for _, tc := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"cancelled", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, context.Canceled},
		{"deadline passed", func() (context.Context, context.CancelFunc) {
			return context.WithDeadline(context.Background(), time.Now().Add(-time.Millisecond))
		}, context.DeadlineExceeded},
		// Shorter than starting the embedded server takes: the deadline
		// passes while Start waits for it, or connects.
		{"short deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), time.Millisecond)
		}, context.DeadlineExceeded},
	} {
		for _, opts := range [][]Option{nil, {Listen("127.0.0.1:0")}} {
			t.Run(fmt.Sprintf("%s/%d options", tc.name, len(opts)), func(t *testing.T) {
				t.Cleanup(func() { goleak.VerifyNone(t); noChildren(t) })
				ctx, cancel := tc.ctx()
				defer cancel()
				begin := time.Now()
				c, err := Start(ctx, opts...)
				failedPromptly(t, "Start", time.Since(begin), c, err, tc.want)
			})
		}
	}
}

// failedPromptly checks what Start or Dial (what) returned, after took, under
// a ctx that ended: no cluster, and an error that is want, within a second
// (starting the embedded server takes tens of milliseconds; nats.Connect's
// own timeout is 2s).
func failedPromptly(t *testing.T, what string, took time.Duration, c *Cluster, err, want error) {
	t.Helper()
	if err == nil {
		c.Close(context.Background())
		t.Fatalf("%s returned a cluster; want the ctx's error", what)
	}
	if !errors.Is(err, want) {
		t.Errorf("%s = %v; want an error that is %v", what, err, want)
	}
	if took > time.Second {
		t.Errorf("%s returned after %v; its ctx ended by 50ms", what, took)
	}
}

// A socket is a TCP socket in state LISTEN, or a bound UDP socket, by
// protocol and local address as /proc/net shows them.
type socket struct {
	proto, local string
}

func (s socket) String() string { return s.proto + " " + s.local }

// boundSockets returns the sockets of this process that listen (TCP) or are
// bound to a port (UDP): those in /proc/self/net whose inode is one of an open
// file descriptor of this process. /proc/self/net alone lists every socket of
// the network namespace, other processes' too.
func boundSockets(t *testing.T) map[string]socket {
	t.Helper()
	mine := socketInodes(t)
	found := map[string]socket{}
	for _, proto := range []string{"tcp", "tcp6", "udp", "udp6"} {
		f, err := os.Open("/proc/self/net/" + proto)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Scan() // the header
		for sc.Scan() {
			// sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
			fields := strings.Fields(sc.Text())
			if len(fields) < 10 {
				continue
			}
			local, state, inode := fields[1], fields[3], fields[9]
			bound := state == "0A" // TCP_LISTEN
			if strings.HasPrefix(proto, "udp") {
				bound = !strings.HasSuffix(local, ":0000")
			}
			if bound && mine[inode] {
				found[inode] = socket{proto, local}
			}
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return found
}

// socketInodes returns the inodes of the sockets that this process has open.
func socketInodes(t *testing.T) map[string]bool {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	inodes := map[string]bool{}
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err != nil {
			continue // closed since ReadDir, such as ReadDir's own
		}
		if inode, ok := strings.CutPrefix(target, "socket:["); ok {
			inodes[strings.TrimSuffix(inode, "]")] = true
		}
	}
	return inodes
}

// newSockets returns the sockets in after that are not in before.
func newSockets(after, before map[string]socket) []string {
	var opened []string
	for inode, s := range after {
		if _, ok := before[inode]; !ok {
			opened = append(opened, fmt.Sprint(s))
		}
	}
	return opened
}

package cluster

import (
	"context"
	"net"
	"net/url"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/poolgen/poolgen/runtime/pool"
)

// procPPid returns the pid of the process that started the child running it:
// the worker process.
var procPPid = pool.RegisterProcess("cluster_test.ppid", func(context.Context, int) (int, error) {
	time.Sleep(time.Millisecond) // long enough for the calls to spread
	return os.Getppid(), nil
})

func TestLocalWorkersSpreadTheWork(t *testing.T) {
	c := start(t, LocalWorkers(2))
	u, err := url.Parse(c.URL())
	if err != nil || u.Hostname() != "127.0.0.1" {
		t.Fatalf("URL() = %q; want one on loopback", c.URL())
	}
	p := newPool(t, c, pool.Workers(4))
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	got, err := procPPid.Map(ctx, p, make([]int, 400))
	if err != nil {
		t.Fatal(err)
	}
	workers := map[int]bool{}
	for _, pid := range got {
		workers[pid] = true
	}
	kids := children()
	if len(workers) != 2 || workers[os.Getpid()] {
		t.Errorf("calls ran under worker processes %v; want 2 workers, children of this process", workers)
	}
	for pid := range workers {
		if !slices.Contains(kids, pid) {
			t.Errorf("worker %d is not a child of this process (%v)", pid, kids)
		}
	}
}

func TestDialJoinsAListeningCluster(t *testing.T) {
	server := start(t, Listen("127.0.0.1:0"))
	host, _, err := net.SplitHostPort(server.URL()[len("nats://"):])
	if err != nil || host != "127.0.0.1" {
		t.Fatalf("URL() = %q; want one on loopback", server.URL())
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, server.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	p := newPool(t, c, pool.Workers(2))
	if v, err := procAdd.Call(ctx, p, 1); v != 2 || err != nil {
		t.Errorf("a call through Dial = %d, %v; want 2, nil", v, err)
	}
	got, err := procAdd.Map(ctx, p, []int{1, 2, 3})
	if !slices.Equal(got, []int{2, 3, 4}) || err != nil {
		t.Errorf("Map through Dial = %v, %v; want [2 3 4]", got, err)
	}
}

// TestLocalWorkerThatDiesIsReplaced checks "LocalWorkers(n) … replaces one
// that dies": with the only worker killed, calls still run, in another one.
func TestLocalWorkerThatDiesIsReplaced(t *testing.T) {
	c := start(t, LocalWorkers(1), AckWait(300*time.Millisecond))
	p := newPool(t, c, pool.Workers(1))
	first, err := procPPid.Call(bounded(t), p, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(first, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	second, err := procPPid.Call(bounded(t), p, 0)
	if err != nil || second == first {
		t.Errorf("a call after the only worker (%d) was killed = %d, %v; want it run in a new worker", first, second, err)
	}
}

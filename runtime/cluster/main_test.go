package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/poolgen/poolgen/runtime/pool"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	pool.ProcessMain() // serves tasks in a child process, or as a cluster worker
	if os.Getenv(submitterEnv) != "" {
		submitterMain() // a submitter of TestDeadSubmittersCallsStop; exits
	}
	goleak.VerifyTestMain(m)
}

// Functions that the tests run on the cluster's workers.
var (
	procAdd = pool.RegisterProcess("cluster_test.add", func(_ context.Context, n int) (int, error) { return n + 1, nil })
	procPid = pool.RegisterProcess("cluster_test.pid", func(context.Context, struct{}) (int, error) { return os.Getpid(), nil })
	procErr = pool.RegisterProcess("cluster_test.err", func(_ context.Context, s string) (int, error) {
		switch s {
		case "panic":
			panic("boom")
		case "exit":
			fmt.Fprintln(os.Stderr, "exiting on purpose")
			os.Exit(3)
		case "deadline":
			return 0, fmt.Errorf("wrapped: %w", context.DeadlineExceeded)
		}
		return 0, errors.New("failed: " + s)
	})
	// procWait waits for its ctx, and says when it ended and why.
	procWait = pool.RegisterProcess("cluster_test.wait", func(ctx context.Context, _ struct{}) (string, error) {
		<-ctx.Done()
		return "", ctx.Err()
	})
)

// start starts an embedded cluster that the test's cleanup closes, checking
// that Close returns nil, and leaves no goroutine and no child process.
func start(t *testing.T, opts ...Option) *Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Start(ctx, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := c.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
		goleak.VerifyNone(t)
		noChildren(t)
	})
	return c
}

// newPool returns a pool on c that the test's cleanup closes (before c's).
func newPool(t *testing.T, c *Cluster, opts ...pool.Option) *pool.Pool {
	t.Helper()
	p := pool.New(context.Background(), append(opts, pool.Remote(c))...)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := p.Close(ctx); err != nil {
			t.Errorf("pool Close: %v", err)
		}
	})
	return p
}

// noChildren fails the test when this process has a child left.
func noChildren(t *testing.T) {
	t.Helper()
	eventually(t, "every child process to exit", func() bool { return len(children()) == 0 })
}

// children lists the pids of this process's children.
func children() []int {
	out, _ := exec.Command("pgrep", "-P", fmt.Sprint(os.Getpid())).Output()
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		// pgrep itself has exited by now; anything else is a child left.
		if pid, err := strconv.Atoi(f); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// within receives from ch, failing the test with msg when nothing comes
// within d.
func within[T any](t *testing.T, d time.Duration, ch <-chan T, msg string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(d):
		t.Fatal(msg)
		return *new(T)
	}
}

// eventually polls cond until it holds, failing the test after a generous bound.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

//go:build linux

package pool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// procConn is a Local value of a child process: it counts its uses and, when
// closed, leaves a file named after its child in dir.
type procConn struct {
	pid, uses int
	dir       string
}

func (c *procConn) Close() error {
	return os.WriteFile(filepath.Join(c.dir, fmt.Sprintf("closed-%d", c.pid)), nil, 0o644)
}

var (
	procConnLocal = NewLocal(func(context.Context) (*procConn, error) { return &procConn{pid: os.Getpid()}, nil })
	// procUseConn uses its child's conn and returns "pid uses".
	procUseConn = RegisterProcess("pool_test.useConn", func(ctx context.Context, dir string) (string, error) {
		c, err := procConnLocal.Get(ctx)
		if err != nil {
			return "", err
		}
		c.dir = dir
		c.uses++
		return fmt.Sprint(c.pid, " ", c.uses), nil
	})
)

func TestProcessLocalIsBuiltInTheChildAndClosedWhenItIsRetired(t *testing.T) {
	dir := t.TempDir()
	p := processPool(t, Workers(1), MaxTasksPerWorker(3))
	ctx := t.Context()
	var got []string
	for range 6 {
		s, err := procUseConn.Call(ctx, p, dir)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	var pids []string
	for i, s := range got {
		pid, uses, _ := strings.Cut(s, " ")
		if want := fmt.Sprint(i%3 + 1); uses != want {
			t.Fatalf("calls saw %q, want uses 1 2 3 in each child: one value per child", got)
		}
		if i%3 == 0 {
			pids = append(pids, pid)
		}
	}
	if pids[0] == pids[1] || pids[0] == fmt.Sprint(os.Getpid()) {
		t.Fatalf("pids %v: want two children, not this process", pids)
	}
	closeQuiet(t, p)
	for _, pid := range pids {
		if _, err := os.Stat(filepath.Join(dir, "closed-"+pid)); err != nil {
			t.Errorf("the value of child %s was not closed when it exited: %v", pid, err)
		}
	}
}

// procHold leaves a file in dir, then waits for its ctx.
var procHold = RegisterProcess("pool_test.hold", func(ctx context.Context, dir string) (int, error) {
	f, err := os.CreateTemp(dir, "held-")
	if err != nil {
		return 0, err
	}
	f.Close()
	<-ctx.Done()
	return 0, ctx.Err()
})

// holdChildren runs n calls of procHold at once and waits until n children
// run them; release ends them.
func holdChildren(t *testing.T, p *Pool, n int) (release func()) {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	var fs []*Future[int]
	for range n {
		fs = append(fs, Submit(ctx, p, func(ctx context.Context) (int, error) { return procHold.Call(ctx, p, dir) }))
	}
	eventually(t, fmt.Sprint(n, " calls running"), func() bool {
		files, _ := os.ReadDir(dir)
		return len(files) == n
	})
	return func() {
		cancel()
		for _, f := range fs {
			f.GetWithin(5 * time.Second)
		}
	}
}

func TestProcessResizeChildrenFollow(t *testing.T) {
	p := processPool(t, Workers(3))
	release := holdChildren(t, p, 3)
	p.Resize(1) // the three are busy: two exit once released
	release()
	eventually(t, "one child left", func() bool { return len(children(t)) == 1 })
	p.Resize(3)
	release = holdChildren(t, p, 3)
	release()
	p.Resize(2) // idle children beyond 2 exit at once
	eventually(t, "two children left", func() bool { return len(children(t)) == 2 })
	if pids := childPids(t, p, 10); len(pids) > 2 {
		t.Errorf("calls ran in %d children after Resize(2)", len(pids))
	}
}

// procParity returns n%2, or waits for its ctx when n < 0.
var procParity = RegisterProcess("pool_test.parity", func(ctx context.Context, n int) (int, error) {
	if n < 0 {
		<-ctx.Done()
		return 0, ctx.Err()
	}
	return n % 2, nil
})

func TestProcessMapPartialErrorTellsFinishedFromZeroValues(t *testing.T) {
	p := processPool(t, Workers(2))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	args := ints(10)
	for range 10 {
		args = append(args, -1)
	}
	out, err := procParity.Map(ctx, p, args, Progress(func(done, _ int) {
		if done == 10 { // the ten that return; the others wait for this cancel
			cancel()
		}
	}))
	var pe *PartialError
	if !errors.As(err, &pe) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want a *PartialError wrapping context.Canceled", err)
	}
	for i := range args {
		if finished := i < 10; pe.Finished(i) != finished {
			t.Errorf("Finished(%d) = %v, want %v (result %d)", i, pe.Finished(i), finished, out[i])
		}
	}
}

//go:build linux

package pool

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
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

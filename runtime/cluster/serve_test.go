package cluster

import (
	"context"
	"errors"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/poolgen/poolgen/runtime/pool"
)

// cancelHung cancels a call on p that ignores its ctx, once it has
// started, and returns how long after the cancel its child was killed.
func cancelHung(t *testing.T, p *pool.Pool) time.Duration {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := procMark.Call(ctx, p, markArg{Dir: dir, Ignore: true})
		done <- err
	}()
	pid, _ := strconv.Atoi(readMark(t, dir, "started", 0))
	canceled := time.Now()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Call = %v; want context.Canceled", err)
	}
	eventually(t, "the child to be killed", func() bool { return syscall.Kill(pid, 0) != nil })
	return time.Since(canceled)
}

func TestServeProcessGraceIsTheDefault(t *testing.T) {
	c := start(t, LocalWorkers(0))
	serve(t, c, pool.Workers(1), pool.ProcessGrace(time.Millisecond))
	p := newPool(t, c, pool.Workers(1)) // its own grace is the default, 1s
	if d := cancelHung(t, p); d > 700*time.Millisecond {
		t.Errorf("the child was killed %v after the cancel; want about Serve's ProcessGrace of 1ms, not the submitter's default of 1s", d)
	}
	if v, err := procAdd.Call(bounded(t), p, 1); v != 2 || err != nil {
		t.Errorf("a call after the kill = %d, %v; want 2, nil", v, err)
	}
}

func TestSubmittersProcessGraceWinsOverServes(t *testing.T) {
	for _, grace := range []time.Duration{0, 50 * time.Millisecond} {
		t.Run(grace.String(), func(t *testing.T) {
			c := start(t, LocalWorkers(0))
			serve(t, c, pool.Workers(1), pool.ProcessGrace(30*time.Second))
			p := newPool(t, c, pool.Workers(1), pool.ProcessGrace(grace))
			if d := cancelHung(t, p); d > 5*time.Second {
				t.Errorf("the child was killed %v after the cancel; want about the submitter's ProcessGrace of %v, not Serve's 30s", d, grace)
			}
		})
	}
}

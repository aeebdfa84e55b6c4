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

// procSleep sleeps for its argument, or until its ctx ends.
var procSleep = pool.RegisterProcess("cluster_test.sleep", func(ctx context.Context, d time.Duration) (time.Duration, error) {
	select {
	case <-time.After(d):
		return d, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
})

// submitAndWait runs fn as a task of p, whose ctx has no deadline, and
// returns its error; it fails the test when the task has not resolved
// within 10s.
func submitAndWait(t *testing.T, p *pool.Pool, fn func(ctx context.Context) (int, error)) error {
	t.Helper()
	f := pool.Submit(t.Context(), p, fn)
	within(t, 10*time.Second, f.Done(), "the task did not resolve within 10s")
	_, err := f.Get(t.Context())
	return err
}

func TestServeTaskTimeoutEndsAHangingCall(t *testing.T) {
	const timeout = 200 * time.Millisecond
	c := start(t, LocalWorkers(0))
	serve(t, c, pool.Workers(1), pool.TaskTimeout(timeout), pool.ProcessGrace(10*time.Millisecond))
	p := newPool(t, c, pool.Workers(1))
	dir := t.TempDir()
	began := time.Now()
	err := submitAndWait(t, p, func(ctx context.Context) (int, error) {
		return procMark.Call(ctx, p, markArg{Dir: dir, Ignore: true})
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a call that ignores its ctx on a worker with TaskTimeout = %v; want context.DeadlineExceeded", err)
	}
	if d := time.Since(began); d < timeout {
		t.Errorf("the call ended %v after it was submitted; want after the TaskTimeout of %v", d, timeout)
	}
	if s := p.Stats(); s.Failed != 1 || s.Canceled != 0 {
		t.Errorf("Stats() = %+v; want the task counted as Failed, as a TaskTimeout is", s)
	}
	pid, _ := strconv.Atoi(readMark(t, dir, "started", 0))
	eventually(t, "the hung child to be killed", func() bool { return syscall.Kill(pid, 0) != nil })
	if v, err := procAdd.Call(bounded(t), p, 1); v != 2 || err != nil {
		t.Errorf("a call after the timeout = %d, %v; want 2, nil", v, err)
	}
}

func TestServeTaskTimeoutAppliesToEachCallOfAMap(t *testing.T) {
	const timeout = 500 * time.Millisecond
	c := start(t, LocalWorkers(0))
	serve(t, c, pool.Workers(1), pool.TaskTimeout(timeout))
	p := newPool(t, c, pool.Workers(1))
	// Together they take longer than the TaskTimeout; each one far less,
	// but the last, which would take 30s. The instant ones first make the
	// submitter's windows wide: the calls after them travel in batches.
	in := make([]time.Duration, 121)
	for i := 100; i < 120; i++ {
		in[i] = 40 * time.Millisecond
	}
	in[120] = 30 * time.Second
	done := make(chan error, 1)
	var out []time.Duration
	go func() {
		var err error
		out, err = procSleep.Map(t.Context(), p, in, pool.CollectErrors())
		done <- err
	}()
	err := within(t, 10*time.Second, done, "Map did not return within 10s")
	var te *pool.TaskError
	if !errors.As(err, &te) || te.Index != 120 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Map = %v; want the last input to fail with context.DeadlineExceeded", err)
	}
	for i, d := range out[:120] {
		if d != in[i] {
			t.Errorf("out[%d] = %v; want %v: each call gets the TaskTimeout from its own start", i, d, in[i])
		}
	}
}

func TestServeTaskTimeoutAndTheSubmittersDeadlineTheEarlierWins(t *testing.T) {
	c := start(t, LocalWorkers(0))
	serve(t, c, pool.Workers(1), pool.TaskTimeout(time.Minute))
	p := newPool(t, c, pool.Workers(1))
	for _, tc := range []struct {
		name     string
		deadline time.Duration // the submitter's
		want     time.Duration // the worker's, after the call
	}{
		{"none", 0, time.Minute},
		{"later", time.Hour, time.Minute},
		{"earlier", 30 * time.Second, 30 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			if tc.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.deadline)
				defer cancel()
			}
			before := time.Now()
			got, err := procDeadline.Call(ctx, p, struct{}{})
			if err != nil || got == 0 {
				t.Fatalf("the worker's deadline = %d, %v; want one", got, err)
			}
			if d := time.Unix(0, got).Sub(before); d < tc.want-10*time.Second || d > tc.want+10*time.Second {
				t.Errorf("the worker's deadline is %v after the call; want %v", d, tc.want)
			}
		})
	}
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

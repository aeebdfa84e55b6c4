package cluster

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/poolgen/poolgen/runtime/pool"
)

func TestDialTakesCommaSeparatedURLs(t *testing.T) {
	server := start(t, Listen("127.0.0.1:0"))
	ctx := bounded(t)
	// Nothing listens on port 1: Dial must try the next URL.
	c, err := Dial(ctx, "nats://127.0.0.1:1,"+server.URL(), NATSOptions(nats.DontRandomize()))
	if err != nil {
		t.Fatalf("Dial of a list whose first server is down = %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	p := newPool(t, c, pool.Workers(1))
	if v, err := procAdd.Call(ctx, p, 1); v != 2 || err != nil {
		t.Errorf("a call through Dial = %d, %v; want 2, nil", v, err)
	}
}

func TestDefaultAckWaitAndRetries(t *testing.T) {
	c := start(t, LocalWorkers(0))
	cfg := c.cons.CachedInfo().Config
	if cfg.AckWait != 5*time.Second || cfg.MaxDeliver != 3 {
		t.Errorf("the task consumer has AckWait %v, MaxDeliver %d; want 5s and 3 (Retries 2)", cfg.AckWait, cfg.MaxDeliver)
	}
}

func TestNATSOptionsReachTheConnection(t *testing.T) {
	server := start(t, Listen("127.0.0.1:0"))
	refuse := errors.New("refused by a NATS option")
	c, err := Dial(bounded(t), server.URL(), NATSOptions(func(*nats.Options) error { return refuse }))
	if err == nil {
		c.Close(context.Background())
	}
	if !errors.Is(err, refuse) {
		t.Errorf("Dial with a NATS option that fails = %v; want its error", err)
	}
}

func TestTaskTimeoutTravelsWithTheCall(t *testing.T) {
	c := start(t)
	p := newPool(t, c, pool.Workers(1), pool.TaskTimeout(time.Minute))
	before := time.Now()
	// The task's ctx has no deadline of its own: only TaskTimeout's.
	f := pool.Submit(t.Context(), p, func(ctx context.Context) (int64, error) { return procDeadline.Call(ctx, p, struct{}{}) })
	got, err := f.Get(bounded(t))
	if err != nil || got == 0 {
		t.Fatalf("the worker's deadline under TaskTimeout = %d, %v; want one", got, err)
	}
	if d := time.Unix(0, got).Sub(before); d < 50*time.Second || d > time.Minute+time.Second {
		t.Errorf("the worker's deadline is %v after the call; want the TaskTimeout of 1m", d)
	}
}

func TestQueuedCallWithNoWorkerWaitsBoundedByItsCtx(t *testing.T) {
	c := start(t, LocalWorkers(0))
	p := newPool(t, c, pool.Workers(1))
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := procAdd.Call(ctx, p, 1)
		done <- err
	}()
	err := within(t, 5*time.Second, done, "a call no worker takes did not return within 5s of its deadline")
	late := time.Since(mustDeadline(t, ctx))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a call no worker takes = %v; want context.DeadlineExceeded", err)
	}
	if late > 500*time.Millisecond {
		t.Errorf("the call returned %v after its deadline; want promptly", late)
	}
	// It is still queued: a worker that comes later still runs the calls after it.
	serve(t, c, pool.Workers(1))
	if v, err := procAdd.Call(bounded(t), p, 2); v != 3 || err != nil {
		t.Errorf("a call once a worker serves = %d, %v; want 3, nil", v, err)
	}
}

func mustDeadline(t *testing.T, ctx context.Context) time.Time {
	t.Helper()
	d, ok := ctx.Deadline()
	if !ok {
		t.Fatal("no deadline")
	}
	return d
}

// A POOLGEN_CLUSTER worker process serves tasks, and exits with status 0 on
// SIGTERM and on SIGINT.
func TestWorkerProcessServesAndExitsOnSIGTERMOrSIGINT(t *testing.T) {
	for _, sig := range []os.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) { workerServesAndExitsOn(t, sig) })
	}
}

func workerServesAndExitsOn(t *testing.T, sig os.Signal) {
	c := start(t, Listen("127.0.0.1:0"), LocalWorkers(0))
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), clusterEnv+"="+c.URL())
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	p := newPool(t, c, pool.Workers(1))
	if v, err := procAdd.Call(bounded(t), p, 1); v != 2 || err != nil {
		t.Errorf("a call served by a POOLGEN_CLUSTER worker = %d, %v; want 2, nil", v, err)
	}
	cmd.Process.Signal(sig)
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("the worker exited with %v after %v; want status 0", err, sig)
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-exited
		t.Errorf("the worker did not exit within 10s of %v", sig)
	}
}

// TestMapTimeoutTravelsWithTheCall checks that Map's Timeout (what a
// timeout= worker's wrapper gives) reaches the worker, as TaskTimeout does.
func TestMapTimeoutTravelsWithTheCall(t *testing.T) {
	c := start(t)
	p := newPool(t, c, pool.Workers(1))
	before := time.Now()
	// The Map's ctx has no deadline of its own: only Timeout's.
	got, err := procDeadline.Map(t.Context(), p, []struct{}{{}}, pool.Timeout(time.Minute))
	if err != nil || got[0] == 0 {
		t.Fatalf("the worker's deadline under Map's Timeout = %v, %v; want one", got, err)
	}
	if d := time.Unix(0, got[0]).Sub(before); d < 50*time.Second || d > time.Minute+time.Second {
		t.Errorf("the worker's deadline is %v after the call; want the Timeout of 1m", d)
	}
}

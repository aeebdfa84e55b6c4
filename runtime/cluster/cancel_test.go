package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/poolgen/poolgen/runtime/pool"
)

// markArg asks procMark to mark its start and end in files of Dir.
type markArg struct {
	Dir    string
	N      int
	Ignore bool // spin, ignoring the ctx, until killed
}

// procMark writes "started-N" (its pid) when it starts, then waits for its
// ctx and writes "ended-N" (the time, in unix ns) when that ends.
var procMark = pool.RegisterProcess("cluster_test.mark", func(ctx context.Context, a markArg) (int, error) {
	write := func(name, s string) {
		os.WriteFile(filepath.Join(a.Dir, fmt.Sprintf("%s-%d", name, a.N)), []byte(s), 0o600)
	}
	write("started", strconv.Itoa(os.Getpid()))
	if a.Ignore {
		for {
		}
	}
	<-ctx.Done()
	write("ended", strconv.FormatInt(time.Now().UnixNano(), 10))
	return 0, ctx.Err()
})

// procDeadline returns its ctx's deadline in unix ns, 0 for none.
var procDeadline = pool.RegisterProcess("cluster_test.deadline", func(ctx context.Context, _ struct{}) (int64, error) {
	d, ok := ctx.Deadline()
	if !ok {
		return 0, nil
	}
	return d.UnixNano(), nil
})

// readMark returns the content of dir's mark name-n once it exists.
func readMark(t *testing.T, dir, name string, n int) string {
	t.Helper()
	var b []byte
	eventually(t, name+" mark", func() bool {
		var err error
		b, err = os.ReadFile(filepath.Join(dir, fmt.Sprintf("%s-%d", name, n)))
		return err == nil && len(b) > 0
	})
	return string(b)
}

func TestCancelReturnsAtOnceAndReachesTheRemoteCall(t *testing.T) {
	c := start(t)
	p := newPool(t, c, pool.Workers(1))
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := procMark.Call(ctx, p, markArg{Dir: dir})
		done <- err
	}()
	readMark(t, dir, "started", 0)
	canceled := time.Now()
	cancel()
	err := within(t, 5*time.Second, done, "Call did not return after its ctx ended")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Call = %v; want context.Canceled", err)
	}
	if d := time.Since(canceled); d > 100*time.Millisecond {
		t.Errorf("Call returned %v after the cancel; want at once", d)
	}
	ns, _ := strconv.ParseInt(readMark(t, dir, "ended", 0), 10, 64)
	if d := time.Unix(0, ns).Sub(canceled); d > time.Second {
		t.Errorf("the remote call's ctx ended %v after the cancel; want within milliseconds", d)
	}
}

func TestCancelledCallThatIgnoresItsCtxIsKilledAfterGrace(t *testing.T) {
	const grace = 100 * time.Millisecond
	c := start(t)
	p := newPool(t, c, pool.Workers(1), pool.ProcessGrace(grace))
	if d := cancelHung(t, p); d < grace {
		t.Errorf("the child was killed %v after the cancel; want after the grace of %v", d, grace)
	}
	if v, err := procAdd.Call(bounded(t), p, 1); v != 2 || err != nil {
		t.Errorf("a call after the kill = %d, %v; want 2, nil", v, err)
	}
}

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

func TestCancelledMapStartsNoQueuedCall(t *testing.T) {
	c := start(t, LocalWorkers(0))
	stopServe := serve(t, c, pool.Workers(1))
	p := newPool(t, c, pool.Workers(2))
	dir := t.TempDir()
	in := make([]markArg, 50)
	for i := range in {
		in[i] = markArg{Dir: dir, N: i}
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := procMark.Map(ctx, p, in)
		done <- err
	}()
	var first string
	eventually(t, "a call to start", func() bool {
		started, _ := filepath.Glob(filepath.Join(dir, "started-*"))
		if len(started) > 0 {
			first = started[0]
		}
		return first != ""
	})
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Map = %v; want context.Canceled", err)
	}
	n, _ := strconv.Atoi(filepath.Base(first)[len("started-"):])
	readMark(t, dir, "ended", n)
	// Every call queued behind it is answered, unrun: a call after them runs.
	if v, err := procAdd.Call(bounded(t), p, 1); v != 2 || err != nil {
		t.Errorf("a call after the Map = %d, %v; want 2, nil", v, err)
	}
	stopServe()
	started, _ := filepath.Glob(filepath.Join(dir, "started-*"))
	if len(started) != 1 {
		t.Errorf("%d calls of the cancelled Map started; want 1, the one running", len(started))
	}
}

func TestDeadlineTravelsWithTheCall(t *testing.T) {
	c := start(t)
	p := newPool(t, c, pool.Workers(1))
	deadline := time.Now().Add(time.Minute).Truncate(time.Microsecond)
	ctx, cancel := context.WithDeadline(t.Context(), deadline)
	defer cancel()
	got, err := procDeadline.Call(ctx, p, struct{}{})
	if err != nil || got != deadline.UnixNano() {
		t.Errorf("the worker's deadline = %v, %v; want %v", time.Unix(0, got), err, deadline)
	}
	if got, err := procDeadline.Call(t.Context(), p, struct{}{}); err != nil || got != 0 {
		t.Errorf("the worker's deadline without one = %d, %v; want none", got, err)
	}
}

func TestQueuedCallPastItsDeadlineNeverStarts(t *testing.T) {
	c := start(t, LocalWorkers(0))
	stopServe := serve(t, c, pool.Workers(1))
	p := newPool(t, c, pool.Workers(2))
	dir := t.TempDir()
	hold, release := context.WithCancel(t.Context())
	held := make(chan error, 1)
	go func() {
		_, err := procMark.Call(hold, p, markArg{Dir: dir, N: 0})
		held <- err
	}()
	readMark(t, dir, "started", 0) // the worker's one slot is busy
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := procMark.Call(ctx, p, markArg{Dir: dir, N: 1}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("queued call = %v; want context.DeadlineExceeded", err)
	}
	release()
	<-held
	if v, err := procAdd.Call(bounded(t), p, 1); v != 2 || err != nil {
		t.Errorf("a call after them = %d, %v; want 2, nil", v, err)
	}
	stopServe()
	if _, err := os.Stat(filepath.Join(dir, "started-1")); err == nil {
		t.Error("the call queued past its deadline started")
	}
}

// serve serves c's tasks in this process with opts until the returned stop
// is called, or the test ends; stop fails the test unless Serve returns nil.
func serve(t *testing.T, c *Cluster, opts ...pool.Option) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- c.Serve(ctx, opts...) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-served; err != nil {
				t.Errorf("Serve = %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// bounded returns a ctx that ends with the test or after a generous bound:
// a call that should run at once fails the test rather than hang it.
func bounded(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

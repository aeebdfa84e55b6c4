package pool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// progressProbe is a Progress callback whose first call blocks until free,
// like a write to a paused terminal. It records calls that overlap, and calls
// made after returned is set.
type progressProbe struct {
	entered    chan struct{} // closed by the first call
	free       func()        // releases the first call; safe to call twice
	returned   atomic.Bool   // set once Map or the Stream loop has returned
	late       atomic.Int64  // calls that started after returned was set
	overlaps   atomic.Int64
	inside     atomic.Bool
	lastDone   atomic.Int64
	lastTotal  atomic.Int64
	calls      atomic.Int64
	enterFirst sync.Once
}

// blockedProgress returns a probe and its Progress option, whose first call
// blocks until pr.free.
func blockedProgress(t *testing.T) (*progressProbe, MapOption) {
	release := make(chan struct{})
	pr := &progressProbe{entered: make(chan struct{}), free: sync.OnceFunc(func() { close(release) })}
	t.Cleanup(pr.free) // before newPool's cleanup, registered earlier, closes the pool
	return pr, Progress(func(done, total int) {
		if pr.returned.Load() {
			pr.late.Add(1)
		}
		if pr.inside.Swap(true) {
			pr.overlaps.Add(1)
		}
		pr.calls.Add(1)
		pr.lastDone.Store(int64(done))
		pr.lastTotal.Store(int64(total))
		pr.enterFirst.Do(func() {
			close(pr.entered)
			<-release
		})
		pr.inside.Store(false)
	})
}

// check fails the test if a call overlapped another or started after return.
func (pr *progressProbe) check(t *testing.T) {
	t.Helper()
	if n := pr.overlaps.Load(); n > 0 {
		t.Errorf("Progress called concurrently with itself %d times", n)
	}
	if n := pr.late.Load(); n > 0 {
		t.Errorf("Progress called %d times after the call returned", n)
	}
}

func TestMapReturnsOnCancelWhileProgressBlocks(t *testing.T) {
	returnsOnCancelWhileProgressBlocks(t, newPool(t, Workers(2)), func(ctx context.Context, p *Pool, progress MapOption) error {
		_, err := Map(ctx, p, ints(1000), square, progress)
		return err
	})
}

func TestStreamReturnsOnCancelWhileProgressBlocks(t *testing.T) {
	returnsOnCancelWhileProgressBlocks(t, newPool(t, Workers(2)), func(ctx context.Context, p *Pool, progress MapOption) error {
		var last error
		for _, err := range Stream(ctx, p, count(1000), square, progress) {
			last = err
		}
		return last
	})
}

func TestProcessMapReturnsOnCancelWhileProgressBlocks(t *testing.T) {
	returnsOnCancelWhileProgressBlocks(t, processPool(t, Workers(2)), func(ctx context.Context, p *Pool, progress MapOption) error {
		_, err := procAdd.Map(ctx, p, ints(1000), progress)
		return err
	})
}

// returnsOnCancelWhileProgressBlocks checks that call, a Map or a Stream loop
// on p, returns with ctx's error once ctx ends while its Progress blocks, and
// that no Progress call starts after it returned.
func returnsOnCancelWhileProgressBlocks(t *testing.T, p *Pool, call func(context.Context, *Pool, MapOption) error) {
	t.Helper()
	pr, progress := blockedProgress(t)
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	done := make(chan struct{})
	var err error
	go func() {
		defer close(done)
		err = call(ctx, p, progress)
		pr.returned.Store(true)
	}()
	within(t, "the first Progress call", pr.entered)
	cancel(ErrInterrupted)
	within(t, "the call after cancel, its Progress blocked", done)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrInterrupted) {
		t.Fatalf("err = %v; want context.Canceled with cause ErrInterrupted", err)
	}
	pr.free()
	closeQuiet(t, p) // and the reporter's goroutine is gone: no call can come
	pr.check(t)
}

// The work does not wait for a Progress call: counts given meanwhile coalesce,
// and the last one, the total, is reported before Map returns.
func TestMapWorkGoesOnWhileProgressBlocks(t *testing.T) {
	p := newPool(t, Workers(2))
	pr, progress := blockedProgress(t)
	done := make(chan struct{})
	var err error
	go func() {
		defer close(done)
		_, err = Map(context.Background(), p, ints(10_000), square, progress)
		pr.returned.Store(true)
	}()
	within(t, "the first Progress call", pr.entered)
	// Every input is counted done while Progress blocks: each count but the
	// last one's has been given to the reporter (both happen under the job's
	// lock, one after the other).
	eventually(t, "every input done while Progress blocks", func() bool { return p.Stats().Done == 10_000 })
	select {
	case <-done:
		t.Fatal("Map returned before its last Progress call")
	default:
	}
	pr.free()
	within(t, "Map once Progress returns", done)
	if err != nil {
		t.Fatal(err)
	}
	if d, n := pr.lastDone.Load(), pr.lastTotal.Load(); d != 10_000 || n != 10_000 {
		t.Fatalf("last Progress call (%d, %d); want (10000, 10000)", d, n)
	}
	// The blocked call, then the latest count, and maybe the last one if it
	// was given after: one call per chunk if they did not coalesce.
	if n := pr.calls.Load(); n > 3 {
		t.Fatalf("%d Progress calls; want at most 3: counts given during a call coalesce", n)
	}
	pr.check(t)
}

// A panic in a Stream's Progress, which runs on a goroutine of its own, ends
// the loop with the *PanicError: its last pair, maybe after every result.
func TestStreamProgressPanicEndsTheLoop(t *testing.T) {
	p := newPool(t, Workers(2))
	var last error
	n := 0
	for _, err := range Stream(context.Background(), p, count(1000), square, Progress(func(done, _ int) {
		if done >= 10 {
			panic("progress boom")
		}
	})) {
		n++
		last = err
	}
	var pe *PanicError
	if !errors.As(last, &pe) || pe.Value != "progress boom" || n > 1001 {
		t.Fatalf("%d pairs, last err %v; want the Progress panic", n, last)
	}
}

// A panic in Map's Progress runs on a pool worker, where the caller of Map could
// not recover it: it must not kill the process. The test runs in a child process
// (see TestMain), because the failure it guards against is a crash.
const progressPanicEnv = "POOL_TEST_PROGRESS_PANIC_CHILD"

func TestProgressPanicDoesNotKillTheProcess(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), progressPanicEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the child with a panicking Progress failed: %v\n%s", err, firstLines(string(out), 12))
	}
	if !strings.Contains(string(out), "progress boom") {
		t.Fatalf("Map's error did not carry the Progress panic:\n%s", firstLines(string(out), 12))
	}
}

// progressPanicChild is the program TestProgressPanicDoesNotKillTheProcess runs:
// Map must return the panic as its error.
func progressPanicChild() {
	p := New(context.Background(), Workers(2))
	defer p.Close(context.Background())
	_, err := Map(context.Background(), p, ints(1000), func(_ context.Context, x int) (int, error) {
		time.Sleep(10 * time.Microsecond)
		return x, nil
	}, Progress(func(done, total int) {
		if done >= 10 && done < total {
			panic("progress boom")
		}
	}))
	var pe *PanicError
	if !errors.As(err, &pe) {
		fmt.Println("Map returned", err)
		os.Exit(1)
	}
	fmt.Println("Map returned the panic:", pe.Value)
	os.Exit(0)
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

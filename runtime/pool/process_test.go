//go:build linux

package pool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The functions the tests run in child processes: registered at package
// initialization, in the test process and in every child alike.
var (
	procAdd  = RegisterProcess("pool_test.add", func(_ context.Context, n int) (int, error) { return n + 1, nil })
	procPid  = RegisterProcess("pool_test.pid", func(context.Context, struct{}) (int, error) { return os.Getpid(), nil })
	procFail = RegisterProcess("pool_test.fail", func(ctx context.Context, a failArg) (int, error) { return a.run(ctx) })
	procPs   = RegisterProcess("pool_test.gomaxprocs", func(context.Context, struct{}) (int, error) { return runtime.GOMAXPROCS(0), nil })
	// procSpin ignores its ctx for good: only a kill stops it.
	procSpin = RegisterProcess("pool_test.spin", func(_ context.Context, n int) (int, error) {
		for {
			n = n*31 + 1
		}
	})
	// procWait returns when its ctx ends, with its error.
	procWait = RegisterProcess("pool_test.wait", func(ctx context.Context, _ struct{}) (*int, error) {
		<-ctx.Done()
		return nil, fmt.Errorf("stopped: %w", ctx.Err())
	})
	// procCrash fails as how says.
	procCrash = RegisterProcess("pool_test.crash", func(_ context.Context, how string) (string, error) {
		switch how {
		case "exit":
			fmt.Fprintln(os.Stderr, "about to exit 3")
			os.Exit(3)
		case "kill":
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			time.Sleep(time.Minute)
		case "crash": // a panic outside the task's goroutine kills the child
			done := make(chan struct{})
			go func() { panic("crash in a goroutine") }()
			<-done
		case "panic": // a panic in the task is the task's error
			panic("task panic")
		case "error":
			return "", errors.New("task error")
		}
		return how + "!", nil
	})
)

// processPool returns a pool that the test's cleanup closes, checking that no
// goroutine and no child process is left.
// failArg says what an input of procFail, or of the same function in
// goroutines, does: fail, wait for its ctx, or return 1.
type failArg struct{ Fail, Wait bool }

func (a failArg) run(ctx context.Context) (int, error) {
	switch {
	case a.Fail:
		return 0, errors.New("this input fails")
	case a.Wait:
		<-ctx.Done()
		return 0, ctx.Err()
	}
	return 1, nil
}

func processPool(t *testing.T, opts ...Option) *Pool {
	t.Helper()
	t.Cleanup(func() { noChildren(t) }) // runs after newPool's cleanup closes the pool
	return newPool(t, opts...)
}

// A child runs with one P, unless the environment says otherwise.
func TestProcessChildRunsWithGOMAXPROCS1UnlessTheEnvironmentSetsIt(t *testing.T) {
	for _, c := range []struct{ env, want string }{{"", "1"}, {"3", "3"}} {
		t.Setenv("GOMAXPROCS", c.env) // read when a child starts
		p := processPool(t, Workers(1))
		got, err := procPs.Call(t.Context(), p, struct{}{})
		if fmt.Sprint(got) != c.want || err != nil {
			t.Fatalf("GOMAXPROCS=%q: the child's GOMAXPROCS is %d, %v; want %s", c.env, got, err, c.want)
		}
		closeQuiet(t, p)
	}
}

func TestProcessCallRunsInAChildAndReturnsItsResult(t *testing.T) {
	p := processPool(t, Workers(2))
	ctx := t.Context()
	got, err := Submit(ctx, p, func(ctx context.Context) (int, error) { return procAdd.Call(ctx, p, 41) }).Get(ctx)
	if got != 42 || err != nil {
		t.Fatalf("add(41) = %d, %v; want 42, nil", got, err)
	}
	in := make([]int, 500)
	for i := range in {
		in[i] = i
	}
	out, err := Map(ctx, p, in, func(ctx context.Context, n int) (int, error) { return procAdd.Call(ctx, p, n) })
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range out {
		if v != i+1 {
			t.Fatalf("out[%d] = %d; want %d", i, v, i+1)
		}
	}
	pids := childPids(t, p, 20)
	if len(pids) > 2 || slices.Contains(pids, os.Getpid()) {
		t.Errorf("tasks ran in processes %v; want at most 2 children of %d", pids, os.Getpid())
	}
	if v, err := procWait.Call(Canceled(), p, struct{}{}); v != nil || !errors.Is(err, context.Canceled) {
		t.Errorf("call with a cancelled ctx = %v, %v; want nil, context.Canceled", v, err)
	}
}

// Canceled returns a ctx that has ended.
func Canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// childPids runs n tasks that report their process and returns the distinct pids.
func childPids(t *testing.T, p *Pool, n int) []int {
	t.Helper()
	var pids []int
	for range n {
		pid, err := procPid.Call(t.Context(), p, struct{}{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(pids, pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func TestProcessBusyLoopIsKilledAfterGrace(t *testing.T) {
	const grace = 100 * time.Millisecond
	p := processPool(t, Workers(1), ProcessGrace(grace))
	before := childPids(t, p, 1)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Submit(ctx, p, func(ctx context.Context) (int, error) { return procSpin.Call(ctx, p, 1) }).Get(t.Context())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v; want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 50*time.Millisecond+time.Second/2 {
		t.Errorf("the waiter was freed after %v", d)
	}
	eventually(t, "the spinning child is killed", func() bool { return !alive(before[0]) })
	if d := time.Since(start); d > 50*time.Millisecond+grace+time.Second {
		t.Errorf("the spinning child was killed after %v; want about %v", d, 50*time.Millisecond+grace)
	}
	after := childPids(t, p, 1)
	if after[0] == before[0] {
		t.Errorf("the next task ran in the killed child %d", before[0])
	}
}

func TestProcessCancelledTaskThatReturnsKeepsItsChild(t *testing.T) {
	p := processPool(t, Workers(1), ProcessGrace(5*time.Second))
	before := childPids(t, p, 1)
	f := Submit(t.Context(), p, func(ctx context.Context) (*int, error) { return procWait.Call(ctx, p, struct{}{}) })
	eventually(t, "the task runs", func() bool { return p.Stats().Running == 1 })
	time.Sleep(10 * time.Millisecond) // let the call reach the child
	f.Cancel()
	if _, err := f.Get(t.Context()); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want context.Canceled", err)
	}
	if after := childPids(t, p, 1); after[0] != before[0] {
		t.Errorf("task ran in %d after the cancel, want the same child %d", after[0], before[0])
	}
}

func TestProcessDeadlineReachesTheChild(t *testing.T) {
	p := processPool(t, Workers(1))
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
	defer cancel()
	// The child's ctx ends at the same deadline, so the call can return
	// its own error before the parent's ctx is seen done: either is right.
	_, err := procWait.Call(ctx, p, struct{}{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v; want context.DeadlineExceeded", err)
	}
}

func TestProcessCrashFailsOnlyItsTask(t *testing.T) {
	p := processPool(t, Workers(1))
	ctx := t.Context()
	for _, c := range []struct {
		how    string
		status int
		stderr string
	}{
		{"exit", 3, "about to exit 3"},
		{"kill", 128 + int(syscall.SIGKILL), ""},
		{"crash", 2, "panic: crash in a goroutine"},
	} {
		_, err := procCrash.Call(ctx, p, c.how)
		var we *WorkerExitError
		if !errors.As(err, &we) || we.ExitCode != c.status || !strings.Contains(we.Stderr, c.stderr) {
			t.Errorf("%s: err = %v; want a *WorkerExitError with status %d and %q on stderr", c.how, err, c.status, c.stderr)
		}
		if got, err := procCrash.Call(ctx, p, "ok"); got != "ok!" || err != nil {
			t.Errorf("after %s: %q, %v; want a fresh child to answer", c.how, got, err)
		}
	}
	_, err := procCrash.Call(ctx, p, "panic")
	var pe *PanicError
	if !errors.As(err, &pe) || pe.Value != "task panic" || !strings.Contains(string(pe.Stack), "process_test.go") {
		t.Errorf("panic: err = %v; want a *PanicError with the value and stack", err)
	}
	if _, err := procCrash.Call(ctx, p, "error"); err == nil || err.Error() != "task error" {
		t.Errorf("error: err = %v; want task error", err)
	}
	if _, err := procWait.Call(ctxWithTimeout(t, time.Millisecond), p, struct{}{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("wait: err = %v; want context.DeadlineExceeded across the pipe", err)
	}
}

// ctxWithTimeout returns a ctx that ends after d, or with the test.
func ctxWithTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestProcessMaxTasksPerWorkerRecyclesChildren(t *testing.T) {
	p := processPool(t, Workers(1), MaxTasksPerWorker(3))
	var pids []int
	for range 9 {
		pid, err := procPid.Call(t.Context(), p, struct{}{})
		if err != nil {
			t.Fatal(err)
		}
		pids = append(pids, pid)
	}
	for i := range pids {
		if same := pids[i] == pids[i/3*3]; !same {
			t.Fatalf("pids = %v; want three children, three tasks each", pids)
		}
	}
	if pids[0] == pids[3] || pids[3] == pids[6] {
		t.Fatalf("pids = %v; want three children, three tasks each", pids)
	}
}

func TestProcessWorkersBoundsChildren(t *testing.T) {
	p := processPool(t, Workers(2), ProcessGrace(0))
	var futures []*Future[int]
	for range 6 {
		futures = append(futures, Submit(t.Context(), p, func(ctx context.Context) (int, error) {
			return procSpin.Call(ctxWithTimeout(t, 20*time.Millisecond), p, 1)
		}))
	}
	most := 0
	for _, f := range futures {
		for !isDone(f) {
			most = max(most, len(children(t)))
			time.Sleep(time.Millisecond)
		}
	}
	if most > 2 {
		t.Errorf("%d children at once; want at most 2", most)
	}
}

func isDone[T any](f *Future[T]) bool {
	select {
	case <-f.Done():
		return true
	default:
		return false
	}
}

func TestProcessCloseWithCtxEndingKillsChildren(t *testing.T) {
	p := New(context.Background(), Workers(2), ProcessGrace(time.Minute))
	for range 2 {
		Submit(context.Background(), p, func(ctx context.Context) (int, error) { return procSpin.Call(ctx, p, 1) })
	}
	eventually(t, "two children", func() bool { return len(children(t)) == 2 })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := p.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v; want context.DeadlineExceeded", err)
	}
	closeQuiet(t, p) // a patient Close now returns nil
	noChildren(t)
}

func TestProcessCallAfterCloseIsRefused(t *testing.T) {
	p := New(context.Background())
	closeQuiet(t, p)
	if _, err := procAdd.Call(t.Context(), p, 1); !errors.Is(err, ErrClosed) {
		t.Errorf("err = %v; want ErrClosed", err)
	}
	noChildren(t)
}

func TestRegisterProcessPanicsOnADuplicateName(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	RegisterProcess("pool_test.add", func(context.Context, int) (int, error) { return 0, nil })
}

// children returns the pids of this process's children that have not ended.
func children(t *testing.T) []int {
	t.Helper()
	return childrenOf(os.Getpid())
}

// childrenOf returns the pids of parent's children that have not ended.
func childrenOf(parent int) []int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat") // the pattern is well-formed
	var pids []int
	for _, path := range stats {
		pid, ppid, state, ok := procStat(path)
		if ok && ppid == parent && state != 'Z' {
			pids = append(pids, pid)
		}
	}
	return pids
}

// noChildren fails the test if this process has a child left.
func noChildren(t *testing.T) {
	t.Helper()
	if pids := children(t); len(pids) > 0 {
		t.Errorf("children left: %v", pids)
	}
}

// alive reports whether pid runs and has not ended (a zombie has ended).
func alive(pid int) bool {
	_, _, state, ok := procStat("/proc/" + strconv.Itoa(pid) + "/stat")
	return ok && state != 'Z'
}

// procStat reads a process's pid, parent and state from /proc/<pid>/stat.
func procStat(path string) (pid, ppid int, state byte, ok bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')') // the command name may hold anything
	if i < 0 {
		return 0, 0, 0, false
	}
	f := strings.Fields(s[i+1:])
	pid, _ = strconv.Atoi(strings.Fields(s)[0])
	if len(f) < 2 {
		return 0, 0, 0, false
	}
	ppid, _ = strconv.Atoi(f[1])
	return pid, ppid, f[0][0], true
}

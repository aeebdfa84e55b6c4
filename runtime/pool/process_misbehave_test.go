//go:build linux

package pool

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// touchy is a value whose gob methods panic on request: Mode "encode" panics
// in GobEncode, "decode" in GobDecode (of the encoded bytes, on the other
// side). procTouchy returns touchy{rest} for an argument "result-"+rest, so
// that the result's methods panic too.
type touchy struct{ Mode string }

func (v touchy) GobEncode() ([]byte, error) {
	if v.Mode == "encode" {
		panic("GobEncode panics")
	}
	return []byte(v.Mode), nil
}

func (v *touchy) GobDecode(b []byte) error {
	if string(b) == "decode" {
		panic("GobDecode panics")
	}
	v.Mode = string(b)
	return nil
}

// node is a linked list, which can be a cycle.
type node struct {
	Next *node
	V    int
}

var (
	procTouchy = RegisterProcess("pool_test.touchy", func(_ context.Context, v touchy) (touchy, error) {
		if rest, ok := strings.CutPrefix(v.Mode, "result-"); ok {
			return touchy{rest}, nil
		}
		return v, nil
	})
	procLength = RegisterProcess("pool_test.length", func(_ context.Context, n *node) (int, error) {
		k := 0
		for ; n != nil; n = n.Next {
			k++
		}
		return k, nil
	})
	// procLoop returns a list of n nodes whose last points back to the first.
	procLoop = RegisterProcess("pool_test.loop", func(_ context.Context, n int) (*node, error) {
		head := &node{}
		last := head
		for range n - 1 {
			last.Next = &node{V: last.V + 1}
			last = last.Next
		}
		last.Next = head
		return head, nil
	})
)

// touchyModes are the ways a value's gob methods panic: in the parent or
// the child, on the argument or the result.
var touchyModes = []string{"encode", "decode", "result-encode", "result-decode"}

func TestProcessPanicInGobMethodsFailsOnlyThatCall(t *testing.T) {
	p := processPool(t, Workers(1)) // one child slot: a call that kept it would hang the next
	ctx := t.Context()
	for _, mode := range touchyModes {
		_, err := procTouchy.Call(ctx, p, touchy{mode})
		var pe *PanicError
		if !errors.As(err, &pe) || !strings.Contains(fmt.Sprint(pe.Value), "Gob") {
			t.Errorf("%s: err = %v; want a *PanicError from the gob method", mode, err)
		}
		if got, err := procTouchy.Call(ctx, p, touchy{"ok"}); got.Mode != "ok" || err != nil {
			t.Errorf("after %s: %v, %v; want the next call to succeed", mode, got, err)
		}
	}
}

func TestProcessPanicInGobMethodsFailsOnlyThatInputOfMapAndStream(t *testing.T) {
	p := processPool(t, Workers(2))
	ctx := t.Context()
	for _, mode := range touchyModes {
		in := make([]touchy, 40)
		for i := range in {
			in[i] = touchy{fmt.Sprint(i)}
		}
		const bad = 17
		in[bad] = touchy{mode}
		check := func(api string, i int, v touchy, err error) {
			t.Helper()
			var pe *PanicError
			switch {
			case i == bad && !errors.As(err, &pe):
				t.Errorf("%s %s: input %d: err = %v; want a *PanicError", api, mode, i, err)
			case i != bad && (err != nil || v != in[i]):
				t.Errorf("%s %s: input %d = %v, %v; want %v", api, mode, i, v, err, in[i])
			}
		}
		out, err := procTouchy.Map(ctx, p, in, CollectErrors())
		var te *TaskError
		if !errors.As(err, &te) || te.Index != bad {
			t.Errorf("Map %s: err = %v; want a *TaskError for input %d", mode, err, bad)
		}
		for i, v := range out {
			if i != bad {
				check("Map", i, v, nil)
			}
		}
		i := 0
		for v, err := range procTouchy.Stream(ctx, p, slices.Values(in)) {
			if i == bad && !errors.As(err, &te) {
				t.Errorf("Stream %s: input %d: err = %v; want a *TaskError", mode, i, err)
			}
			check("Stream", i, v, err)
			i++
		}
		if i != len(in) {
			t.Errorf("Stream %s yielded %d values; want %d", mode, i, len(in))
		}
	}
}

func TestProcessCyclicValueFailsItsCall(t *testing.T) {
	p := processPool(t, Workers(1))
	ctx := t.Context()
	loop := &node{V: 1}
	loop.Next = &node{V: 2, Next: loop}
	if _, err := procLength.Call(ctx, p, loop); err == nil || !strings.Contains(err.Error(), "cycle (at .Next.Next)") {
		t.Errorf("a cyclic argument: err = %v; want an error naming the cycle", err)
	}
	if _, err := procLoop.Call(ctx, p, 3); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("a cyclic result: err = %v; want an error naming the cycle", err)
	}
	list := &node{V: 1, Next: &node{V: 2}}
	if n, err := procLength.Call(ctx, p, list); n != 2 || err != nil {
		t.Errorf("a list of 2 = %d, %v; want 2, nil", n, err)
	}
	_, err := procLength.Map(ctx, p, []*node{list, loop, list}, CollectErrors())
	var te *TaskError
	if !errors.As(err, &te) || te.Index != 1 || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("Map: err = %v; want a *TaskError for input 1 naming the cycle", err)
	}
}

func TestWorkerExitErrorShowsThePanicLine(t *testing.T) {
	e := &WorkerExitError{ExitCode: 2, Stderr: "some output\npanic: boom\n\ngoroutine 5 [running]:\nmain.f()\n\t/x.go:3 +0x1\ncreated by main.g\n\t/x.go:9 +0x2\n"}
	if got, want := e.Error(), "pool: worker process exited with status 2: panic: boom"; got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
	e = &WorkerExitError{ExitCode: 3, Stderr: "about to exit 3\n"}
	if got, want := e.Error(), "pool: worker process exited with status 3; stderr ends with:\nabout to exit 3"; got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
}

func TestProcessPoolWhoseCloseGaveUpIsRefusedAndCollected(t *testing.T) {
	p := New(context.Background(), Workers(1), ProcessGrace(time.Minute))
	f := Submit(context.Background(), p, func(ctx context.Context) (int, error) { return procSpin.Call(ctx, p, 1) })
	eventually(t, "a child spins", func() bool { return len(children(t)) == 1 })
	if err := p.Close(Canceled()); !errors.Is(err, context.Canceled) {
		t.Fatalf("Close = %v; want context.Canceled", err)
	}
	if _, err := f.Get(t.Context()); !errors.Is(err, context.Canceled) {
		t.Errorf("the spinning task: err = %v; want context.Canceled", err)
	}
	if _, err := procAdd.Call(t.Context(), p, 1); !errors.Is(err, ErrClosed) {
		t.Errorf("a call after Close gave up: err = %v; want ErrClosed", err)
	}
	eventually(t, "the child is killed", func() bool { return len(children(t)) == 0 })
	collected := make(chan struct{})
	runtime.AddCleanup(p, func(ch chan struct{}) { close(ch) }, collected)
	p, f = nil, nil
	deadline := time.Now().Add(5 * time.Second)
	for !isClosed(collected) {
		if time.Now().After(deadline) {
			t.Fatal("the pool was never garbage-collected")
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	goleak.VerifyNone(t)
}

// isClosed reports whether ch is closed.
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

var procClosePipes = RegisterProcess("pool_test.closepipes", func(context.Context, struct{}) (string, error) {
	syscall.Close(3) // the child's pipes, as tidy-up code that closes every descriptor would
	syscall.Close(4)
	return "closed", nil
})

func TestProcessChildThatClosesItsPipesFailsItsCallAtOnce(t *testing.T) {
	p := processPool(t, Workers(1))
	done := make(chan struct{})
	var err error
	go func() {
		defer close(done)
		_, err = procClosePipes.Call(context.Background(), p, struct{}{})
	}()
	within(t, "the call", done)
	var we *WorkerExitError
	if !errors.As(err, &we) || !strings.Contains(err.Error(), "pipes") {
		t.Errorf("err = %v; want a *WorkerExitError saying what happened to the child's pipes", err)
	}
	if got, err := procAdd.Call(t.Context(), p, 1); got != 2 || err != nil {
		t.Errorf("the next call = %d, %v; want a fresh child to answer 2", got, err)
	}
	_, err = procClosePipes.Map(t.Context(), p, make([]struct{}, 3))
	if !errors.As(err, &we) {
		t.Errorf("Map: err = %v; want a *WorkerExitError", err)
	}
}

// orphanEnv names the file where the helper parent of
// TestProcessTaskSubprocessDiesWithAKilledParent has its task write the
// pids of its child and of the sleep the task started.
const orphanEnv = "POOLGEN_TEST_ORPHAN"

var procSleeper = RegisterProcess("pool_test.sleeper", func(_ context.Context, path string) (int, error) {
	cmd := exec.Command("sleep", "300")
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	os.WriteFile(path+".tmp", fmt.Appendf(nil, "%d %d", os.Getpid(), cmd.Process.Pid), 0o644)
	os.Rename(path+".tmp", path)
	return 0, cmd.Wait()
})

func init() {
	helperMains[orphanEnv] = func() {
		p := New(context.Background(), Workers(1))
		procSleeper.Call(context.Background(), p, os.Getenv(orphanEnv)) // until this process is killed
		os.Exit(1)
	}
}

func TestProcessTaskSubprocessDiesWithAKilledParent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pids")
	parent := exec.Command(os.Args[0], "-test.run=^$")
	parent.Env = append(os.Environ(), orphanEnv+"="+path)
	parent.Stderr = os.Stderr
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	var child, sleeper int
	t.Cleanup(func() {
		parent.Process.Kill()
		parent.Wait()
		for _, pid := range []int{child, sleeper} {
			if pid > 0 {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	eventually(t, "the task starts sleep", func() bool {
		b, err := os.ReadFile(path)
		return err == nil && len(b) > 0 && must(fmt.Sscan(string(b), &child, &sleeper)) == 2
	})
	parent.Process.Signal(syscall.SIGKILL)
	parent.Wait()
	eventually(t, "the child ends", func() bool { return !alive(child) })
	eventually(t, "the sleep the task started ends", func() bool { return !alive(sleeper) })
}

// must returns n, ignoring err.
func must(n int, err error) int { return n }

// procSpinZero spins for good on input 0, ignoring its ctx, and returns
// every other input at once.
var procSpinZero = RegisterProcess("pool_test.spinzero", func(_ context.Context, n int) (int, error) {
	for n == 0 {
	}
	return n, nil
})

func TestProcessHungCallDoesNotHoldBackCallsQueuedBehindIt(t *testing.T) {
	p := processPool(t, Workers(2), ProcessGrace(0))
	in := []int{0, 1, 2, 3, 4, 5, 6, 7}
	t.Run("Map", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		done := make(chan struct{})
		var out []int
		var err error
		go func() {
			defer close(done)
			out, err = procSpinZero.Map(ctx, p, in, Progress(func(done, _ int) {
				if done == len(in)-1 {
					cancel() // all but the spinning input have finished
				}
			}))
		}()
		within(t, "Map of the inputs that do not spin", done)
		if !errors.Is(err, context.Canceled) || !slices.Equal(out, in) {
			t.Errorf("Map = %v, %v; want %v and context.Canceled", out, err, in)
		}
	})
	t.Run("Stream", func(t *testing.T) {
		done := make(chan struct{})
		var got []int
		var errs []error
		go func() {
			defer close(done)
			for v, err := range procSpinZero.Stream(t.Context(), p, slices.Values(in), Unordered()) {
				if err != nil {
					errs = append(errs, err)
				}
				if got = append(got, v); len(got) == len(in)-1 {
					break
				}
			}
		}()
		within(t, "Stream of the inputs that do not spin", done)
		slices.Sort(got)
		if !slices.Equal(got, in[1:]) || errs != nil {
			t.Errorf("Stream yielded %v with errors %v; want %v", got, errs, in[1:])
		}
	})
}

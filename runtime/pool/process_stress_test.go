//go:build linux

package pool

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestProcessCrashStress runs tasks among which some panic, call os.Exit, are
// killed or crash their child, and checks that every task resolves exactly
// once with its own outcome, and that the pool keeps going.
func TestProcessCrashStress(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 300
	}
	p := processPool(t, Workers(2))
	rng := rand.New(rand.NewPCG(7, 7))
	hows := make([]string, n)
	futures := make([]*Future[string], n)
	for i := range hows {
		switch r := rng.IntN(100); {
		case r < 4:
			hows[i] = "exit"
		case r < 8:
			hows[i] = "kill"
		case r < 12:
			hows[i] = "crash"
		case r < 20:
			hows[i] = "panic"
		default:
			hows[i] = "ok" + strconv.Itoa(i)
		}
		how := hows[i]
		futures[i] = Submit(t.Context(), p, func(ctx context.Context) (string, error) { return procCrash.Call(ctx, p, how) })
	}
	var we *WorkerExitError
	var pe *PanicError
	for i, f := range futures {
		got, err := f.GetWithin(30 * time.Second)
		switch how := hows[i]; how {
		case "exit", "kill", "crash":
			if !errors.As(err, &we) {
				t.Errorf("task %d (%s): %q, %v; want a *WorkerExitError", i, how, got, err)
			}
		case "panic":
			if !errors.As(err, &pe) {
				t.Errorf("task %d (%s): %q, %v; want a *PanicError", i, how, got, err)
			}
		default:
			if got != how+"!" || err != nil {
				t.Errorf("task %d (%s): %q, %v; want %q", i, how, got, err, how+"!")
			}
		}
	}
	s := p.Stats()
	if s.Done+s.Failed != n || s.Running != 0 || s.Queued != 0 {
		t.Errorf("stats %+v; want %d tasks done or failed", s, n)
	}
	if got, err := procAdd.Call(t.Context(), p, 1); got != 2 || err != nil {
		t.Errorf("after the stress: %d, %v", got, err)
	}
}

// helperEnv makes this test binary run helperParent, for the tests that
// signal or kill a parent program with a process pool.
const helperEnv = "POOL_TEST_PROCESS_PARENT"

func init() { helperMains[helperEnv] = helperParent }

// helperParent is the program that TestProcessSIGINT* and
// TestProcessParentKilled* run in a child process. It starts two children
// spinning in tasks that ignore their ctx, prints their pids, and waits for
// its ctx: on the first SIGINT it closes the pool and exits with status 130.
func helperParent() {
	ctx, stop := InterruptContext(context.Background())
	defer stop()
	p := New(ctx, Workers(2), ProcessGrace(100*time.Millisecond))
	for range 2 {
		Submit(ctx, p, func(ctx context.Context) (int, error) { return procSpin.Call(ctx, p, 1) })
	}
	for len(childrenOf(os.Getpid())) < 2 {
		time.Sleep(time.Millisecond) // polls /proc: no event says a child started
	}
	fmt.Println("children", strings.Trim(fmt.Sprint(childrenOf(os.Getpid())), "[]"))
	<-ctx.Done()
	closeCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Close(closeCtx); err != nil {
		fmt.Println("close:", err)
		os.Exit(1)
	}
	if len(childrenOf(os.Getpid())) > 0 {
		fmt.Println("children left")
		os.Exit(1)
	}
	if errors.Is(context.Cause(ctx), ErrInterrupted) {
		os.Exit(130)
	}
	os.Exit(0)
}

// startParent runs helperParent and returns it with its children's pids.
func startParent(t *testing.T) (*exec.Cmd, []int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Scan()
		line <- sc.Text()
		for sc.Scan() {
			t.Log("parent:", sc.Text())
		}
	}()
	var pids []int
	select {
	case l := <-line:
		for _, f := range strings.Fields(strings.TrimPrefix(l, "children")) {
			pid, _ := strconv.Atoi(f)
			pids = append(pids, pid)
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("the parent program did not start its children")
	}
	if len(pids) != 2 {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the parent program started children %v; want 2", pids)
	}
	return cmd, pids
}

func TestProcessSIGINTExits130WithNoChildLeft(t *testing.T) {
	cmd, pids := startParent(t)
	start := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 {
		t.Fatalf("parent exited with %v; want status 130", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the parent took %v to exit", d)
	}
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("child %d outlived its parent", pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

func TestProcessParentKilledLeavesNoOrphan(t *testing.T) {
	cmd, pids := startParent(t)
	cmd.Process.Kill()
	cmd.Wait()
	deadline := time.Now().Add(time.Second)
	for _, pid := range pids {
		for alive(pid) && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if alive(pid) {
			t.Errorf("child %d still runs a second after its parent was killed", pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

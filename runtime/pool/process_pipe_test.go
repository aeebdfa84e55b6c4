//go:build linux

package pool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// logArg names a task of procLog: what it does, and the file where it notes
// that it started, with its pid, before doing it.
type logArg struct{ Path, How string }

var procLog = RegisterProcess("pool_test.log", func(ctx context.Context, a logArg) (string, error) {
	f, err := os.OpenFile(a.Path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(f, "%s %d\n", a.How, os.Getpid())
	f.Close()
	switch a.How {
	case "wait":
		<-ctx.Done()
		return "", ctx.Err()
	case "exit":
		os.Exit(3)
	case "fail":
		return "", errors.New("failed")
	}
	return a.How + "!", nil
})

// logArgs returns procLog's arguments for hows, all logging to one new file.
// Call it before processPool: the cleanups run last first, so the pool's Close
// then waits for the children before the file's directory is removed.
func logArgs(t *testing.T, hows ...string) []logArg {
	path := filepath.Join(t.TempDir(), "log")
	args := make([]logArg, len(hows))
	for i, how := range hows {
		args[i] = logArg{path, how}
	}
	return args
}

// readLog returns the pid that logged each how, failing the test when one
// logged more than once.
func readLog(t *testing.T, path string) map[string]int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	started := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if line == "" {
			continue
		}
		how, pid, _ := strings.Cut(line, " ")
		if _, dup := started[how]; dup {
			t.Errorf("%s started twice", how)
		}
		started[how], _ = strconv.Atoi(pid)
	}
	return started
}

func TestProcessMapPipelinedKeepsOrder(t *testing.T) {
	p := processPool(t, Workers(2))
	ctx := t.Context()
	const n = 3000 // far more than the windows of two children
	in := make([]int, n)
	for i := range in {
		in[i] = i
	}
	last := 0
	out, err := procAdd.Map(ctx, p, in, Progress(func(done, total int) { last = done }))
	if err != nil || last != n {
		t.Fatalf("Map: %v, last progress %d; want nil, %d", err, last, n)
	}
	for i, v := range out {
		if v != i+1 {
			t.Fatalf("out[%d] = %d; want %d", i, v, i+1)
		}
	}
	next := 0
	for v, err := range procAdd.Stream(ctx, p, slices.Values(in)) {
		if v != next+1 || err != nil {
			t.Fatalf("Stream yielded %d, %v at %d; want %d, nil", v, err, next, next+1)
		}
		next++
	}
	seen := make([]bool, n)
	for v, err := range procAdd.Stream(ctx, p, slices.Values(in), Unordered()) {
		if err != nil || seen[v-1] {
			t.Fatalf("Unordered Stream yielded %d, %v twice or with an error", v, err)
		}
		seen[v-1] = true
	}
	if next != n || slices.Contains(seen, false) {
		t.Fatalf("Stream yielded %d results; want %d", next, n)
	}
	if s := p.Stats(); s.Done != 3*n || s.Failed+s.Canceled != 0 {
		t.Errorf("stats %+v; want %d done", s, 3*n)
	}
	if pids := childPids(t, p, 4); len(pids) > 2 {
		t.Errorf("children %v; want at most 2", pids)
	}
}

func TestProcessMapCrashWithQueuedCalls(t *testing.T) {
	// One child, and quick calls before "exit" so that the window has grown:
	// the calls after "exit" are queued in the child when it dies.
	var hows []string
	for i := range 30 {
		hows = append(hows, "a"+strconv.Itoa(i))
	}
	crash := len(hows)
	hows = append(hows, "exit")
	for i := range 20 {
		hows = append(hows, "q"+strconv.Itoa(i))
	}
	args := logArgs(t, hows...)
	p := processPool(t, Workers(1))
	out, err := procLog.Map(t.Context(), p, args, CollectErrors())
	var te *TaskError
	var we *WorkerExitError
	if !errors.As(err, &te) || te.Index != crash || !errors.As(err, &we) || we.ExitCode != 3 || strings.Count(err.Error(), "input") != 1 {
		t.Fatalf("err = %v; want one *TaskError for input %d with a *WorkerExitError", err, crash)
	}
	started := readLog(t, args[0].Path)
	for i, how := range hows {
		if how == "exit" {
			continue
		}
		if out[i] != how+"!" {
			t.Errorf("out[%d] = %q; want %q", i, out[i], how+"!")
		}
		// The queued calls never started in the dead child: a fresh one ran them, once.
		if pid, ok := started[how]; !ok || i > crash && pid == started["exit"] {
			t.Errorf("%s started in %d (ok %v); the dead child was %d", how, pid, ok, started["exit"])
		}
	}
	if s := p.Stats(); s.Done != len(hows)-1 || s.Failed != 1 || s.Canceled != 0 {
		t.Errorf("stats %+v; want %d done, 1 failed", s, len(hows)-1)
	}
}

func TestProcessMapFailsFastAndKeepsResults(t *testing.T) {
	args := logArgs(t, "a", "b", "fail", "c", "d")
	p := processPool(t, Workers(1))
	out, err := procLog.Map(t.Context(), p, args)
	var te *TaskError
	if !errors.As(err, &te) || te.Index != 2 || te.Err.Error() != "failed" {
		t.Fatalf("err = %v; want a *TaskError for input 2", err)
	}
	if out[0] != "a!" || out[1] != "b!" {
		t.Errorf("out = %q; want the results before the failure kept", out)
	}
}

func TestProcessMapCancelWithQueuedCalls(t *testing.T) {
	var hows []string
	for i := range 20 { // quick calls, so that the window grows
		hows = append(hows, "a"+strconv.Itoa(i))
	}
	hows = append(hows, "wait")
	for i := range 10 {
		hows = append(hows, "q"+strconv.Itoa(i))
	}
	args := logArgs(t, hows...)
	p := processPool(t, Workers(1), ProcessGrace(5*time.Second))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	var err error
	go func() {
		defer close(done)
		_, err = procLog.Map(ctx, p, args)
	}()
	eventually(t, "the first call starts", func() bool { _, ok := readLog(t, args[0].Path)["wait"]; return ok })
	time.Sleep(10 * time.Millisecond) // let the driver queue the others in the child
	start := time.Now()
	cancel()
	within(t, "Map after cancel", done)
	if d := time.Since(start); d > 500*time.Millisecond { // the grace is 5s
		t.Errorf("Map returned %v after the cancel", d)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v; want context.Canceled", err)
	}
	// The child answers the queued calls without running them, then it is
	// idle again: the next call runs in it, and none of the queued ones ran.
	pid := readLog(t, args[0].Path)["wait"]
	if after := childPids(t, p, 1); after[0] != pid {
		t.Errorf("next call ran in %d; want the same child %d", after[0], pid)
	}
	for how := range readLog(t, args[0].Path) {
		if strings.HasPrefix(how, "q") {
			t.Errorf("%s started after the cancel", how)
		}
	}
	if s := p.Stats(); s.Canceled != 11 || s.Done != 20 || s.Failed != 0 {
		t.Errorf("stats %+v; want 20 done, 11 cancelled", s)
	}
}

func TestProcessMapMaxTasksPerWorkerPipelined(t *testing.T) {
	p := processPool(t, Workers(1), MaxTasksPerWorker(3))
	pids, err := procPid.Map(t.Context(), p, make([]struct{}, 10))
	if err != nil {
		t.Fatal(err)
	}
	for i := range pids {
		if pids[i] != pids[i/3*3] || i%3 == 0 && i > 0 && pids[i] == pids[i-1] {
			t.Fatalf("pids = %v; want a fresh child every three tasks", pids)
		}
	}
}

func TestProcessStreamBreakCancelsQueuedCalls(t *testing.T) {
	args := logArgs(t, "a", "wait", "q1", "q2", "q3")
	p := processPool(t, Workers(1), ProcessGrace(5*time.Second))
	for v, err := range procLog.Stream(t.Context(), p, slices.Values(args)) {
		if v != "a!" || err != nil {
			t.Fatalf("yielded %q, %v; want a!", v, err)
		}
		eventually(t, "wait starts", func() bool { _, ok := readLog(t, args[0].Path)["wait"]; return ok })
		break
	}
	closeQuiet(t, p)
	if started := readLog(t, args[0].Path); len(started) != 2 {
		t.Errorf("started: %v; want a and wait only", started)
	}
}

// TestProcessMapCrashStress is TestProcessCrashStress through a pipelined Map:
// every input resolves once, with its own outcome, though calls are queued
// behind each crash.
func TestProcessMapCrashStress(t *testing.T) {
	p := processPool(t, Workers(2))
	hows := make([]string, 300)
	for i := range hows {
		switch i % 25 {
		case 3:
			hows[i] = "exit"
		case 11:
			hows[i] = "kill"
		case 17:
			hows[i] = "crash"
		case 5, 20:
			hows[i] = "panic"
		default:
			hows[i] = "ok" + strconv.Itoa(i)
		}
	}
	out, err := procCrash.Map(t.Context(), p, hows, CollectErrors())
	failed := map[int]error{}
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		te := e.(*TaskError)
		failed[te.Index] = te.Err
	}
	var we *WorkerExitError
	var pe *PanicError
	for i, how := range hows {
		switch how {
		case "exit", "kill", "crash":
			if !errors.As(failed[i], &we) {
				t.Errorf("input %d (%s): %q, %v; want a *WorkerExitError", i, how, out[i], failed[i])
			}
		case "panic":
			if !errors.As(failed[i], &pe) {
				t.Errorf("input %d (%s): %q, %v; want a *PanicError", i, how, out[i], failed[i])
			}
		default:
			if out[i] != how+"!" || failed[i] != nil {
				t.Errorf("input %d (%s): %q, %v", i, how, out[i], failed[i])
			}
		}
	}
	if s := p.Stats(); s.Done+s.Failed != len(hows) || s.Failed != len(failed) {
		t.Errorf("stats %+v; want %d done or failed, %d failed", s, len(hows), len(failed))
	}
}

func TestProcessStreamCrashResendsQueuedCalls(t *testing.T) {
	p := processPool(t, Workers(1))
	var hows []string
	for i := range 60 {
		hows = append(hows, "ok"+strconv.Itoa(i))
	}
	hows[40] = "exit"
	i := 0
	for v, err := range procCrash.Stream(t.Context(), p, slices.Values(hows)) {
		var we *WorkerExitError
		var te *TaskError
		switch {
		case hows[i] == "exit":
			if !errors.As(err, &te) || te.Index != i || !errors.As(err, &we) {
				t.Errorf("input %d: %q, %v; want a *TaskError with a *WorkerExitError", i, v, err)
			}
		case v != hows[i]+"!" || err != nil:
			t.Errorf("input %d: %q, %v; want %q", i, v, err, hows[i]+"!")
		}
		i++
	}
	if i != len(hows) {
		t.Errorf("yielded %d; want %d", i, len(hows))
	}
}

package cluster

import (
	"context"
	"errors"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/poolgen/poolgen/runtime/pool"
)

func TestEmbeddedRunsCallMapAndStream(t *testing.T) {
	c := start(t)
	if c.URL() != "" {
		t.Errorf("URL() = %q; want \"\": Start opens no port by default", c.URL())
	}
	p := newPool(t, c, pool.Workers(2))
	ctx := t.Context()
	got, err := pool.Submit(ctx, p, func(ctx context.Context) (int, error) { return procAdd.Call(ctx, p, 41) }).Get(ctx)
	if got != 42 || err != nil {
		t.Fatalf("add(41) = %d, %v; want 42, nil", got, err)
	}
	in := make([]int, 2000)
	for i := range in {
		in[i] = i
	}
	out, err := procAdd.Map(ctx, p, in)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range out {
		if v != i+1 {
			t.Fatalf("Map: out[%d] = %d; want %d", i, v, i+1)
		}
	}
	i := 0
	for v, err := range procAdd.Stream(ctx, p, slices.Values(in)) {
		if v != i+1 || err != nil {
			t.Fatalf("Stream: #%d = %d, %v; want %d, nil", i, v, err, i+1)
		}
		i++
	}
	if i != len(in) {
		t.Fatalf("Stream yielded %d results; want %d", i, len(in))
	}
	if s := p.Stats(); s.Done != 1+2*len(in) {
		t.Errorf("Stats().Done = %d; want %d: each task counted once", s.Done, 1+2*len(in))
	}
	pids := map[int]bool{}
	for range 20 {
		pid, err := procPid.Call(ctx, p, struct{}{})
		if err != nil {
			t.Fatal(err)
		}
		pids[pid] = true
	}
	if pids[os.Getpid()] || len(pids) > 2 {
		t.Errorf("calls ran in processes %v; want child processes of %d", slices.Collect(maps.Keys(pids)), os.Getpid())
	}
}

func TestErrorsRoundTripAsInProcessMode(t *testing.T) {
	c := start(t)
	p := newPool(t, c, pool.Workers(2))
	ctx := t.Context()
	if _, err := procErr.Call(ctx, p, "x"); err == nil || err.Error() != "failed: x" {
		t.Errorf("error = %v; want failed: x", err)
	}
	if _, err := procErr.Call(ctx, p, "deadline"); !errors.Is(err, context.DeadlineExceeded) || err.Error() != "wrapped: context deadline exceeded" {
		t.Errorf("error = %v; want one that errors.Is context.DeadlineExceeded", err)
	}
	var pe *pool.PanicError
	if _, err := procErr.Call(ctx, p, "panic"); !errors.As(err, &pe) || pe.Value != "boom" || !strings.Contains(string(pe.Stack), "main_test.go") {
		t.Errorf("error = %v; want a *pool.PanicError of boom with its stack", err)
	}
	var we *pool.WorkerExitError
	if _, err := procErr.Call(ctx, p, "exit"); !errors.As(err, &we) || we.ExitCode != 3 || !strings.Contains(we.Stderr, "exiting on purpose") {
		t.Errorf("error = %v; want a *pool.WorkerExitError of status 3 with its stderr", err)
	}
	_, err := procErr.Map(ctx, p, []string{"a", "b"})
	var te *pool.TaskError
	if !errors.As(err, &te) || !strings.HasPrefix(te.Err.Error(), "failed: ") {
		t.Errorf("Map error = %v; want a *pool.TaskError", err)
	}
}

func TestPoolCompilesNoNATS(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/poolgen/poolgen/runtime/pool").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "nats") {
			t.Errorf("runtime/pool depends on %s", dep)
		}
	}
}

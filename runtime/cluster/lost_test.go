package cluster

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/poolgen/poolgen/runtime/pool"
)

// procOnce blocks until its ctx ends the first time it runs (having written
// its worker's pid in dir/worker), and returns "again" the next time.
var procOnce = pool.RegisterProcess("cluster_test.once", func(ctx context.Context, dir string) (string, error) {
	f, err := os.OpenFile(filepath.Join(dir, "worker"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "again", nil
	}
	f.WriteString(strconv.Itoa(os.Getppid()))
	f.Close()
	<-ctx.Done()
	return "", ctx.Err()
})

// procKillWorker kills the worker process that runs it.
var procKillWorker = pool.RegisterProcess("cluster_test.killworker", func(ctx context.Context, _ struct{}) (int, error) {
	syscall.Kill(os.Getppid(), syscall.SIGKILL)
	<-ctx.Done()
	return 0, ctx.Err()
})

func TestTaskOfADeadWorkerGoesToAnother(t *testing.T) {
	const ackWait = 300 * time.Millisecond
	c := start(t, LocalWorkers(2), AckWait(ackWait))
	p := newPool(t, c, pool.Workers(1))
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	done := make(chan string, 1)
	go func() {
		v, err := pool.Submit(ctx, p, func(ctx context.Context) (string, error) { return procOnce.Call(ctx, p, dir) }).Get(ctx)
		if err != nil {
			v = err.Error()
		}
		done <- v
	}()
	var pid int
	eventually(t, "the call to start", func() bool {
		b, _ := os.ReadFile(filepath.Join(dir, "worker"))
		pid, _ = strconv.Atoi(string(b))
		return pid > 0
	})
	killed := time.Now()
	syscall.Kill(pid, syscall.SIGKILL)
	if v := <-done; v != "again" {
		t.Fatalf("Call = %q; want \"again\", from the second worker", v)
	}
	t.Logf("the task came back %v after its worker died (AckWait %v)", time.Since(killed), ackWait)
	if s := p.Stats(); s.Done != 1 {
		t.Errorf("Stats().Done = %d; want 1", s.Done)
	}
}

func TestCallFailsWithWorkerLostErrorAfterRetries(t *testing.T) {
	c := start(t, LocalWorkers(1), AckWait(300*time.Millisecond), Retries(1))
	p := newPool(t, c, pool.Workers(1))
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	_, err := procKillWorker.Call(ctx, p, struct{}{})
	var lost *WorkerLostError
	if !errors.As(err, &lost) || lost.Attempts != 2 {
		t.Fatalf("Call = %v; want a *WorkerLostError of 2 attempts", err)
	}
	if v, err := procAdd.Call(ctx, p, 1); v != 2 || err != nil {
		t.Errorf("a call after = %d, %v; want 2, nil", v, err)
	}
}

// submitterEnv, set to a cluster's URL, makes this test binary a submitter
// that runs procMark in $submitterDir until it is killed.
const (
	submitterEnv = "CLUSTER_TEST_SUBMITTER"
	submitterDir = "CLUSTER_TEST_DIR"
)

func submitterMain() {
	ctx := context.Background()
	c, err := Dial(ctx, os.Getenv(submitterEnv))
	if err != nil {
		panic(err)
	}
	p := pool.New(ctx, pool.Remote(c))
	procMark.Call(ctx, p, markArg{Dir: os.Getenv(submitterDir)})
	os.Exit(1)
}

func TestDeadSubmittersCallsStop(t *testing.T) {
	const ackWait = 300 * time.Millisecond
	c := start(t, Listen("127.0.0.1:0"), AckWait(ackWait))
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), submitterEnv+"="+c.URL(), submitterDir+"="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	readMark(t, dir, "started", 0)
	killed := time.Now()
	cmd.Process.Kill()
	cmd.Wait()
	ns, _ := strconv.ParseInt(readMark(t, dir, "ended", 0), 10, 64)
	if d := time.Unix(0, ns).Sub(killed); d > 2*time.Second {
		t.Errorf("the dead submitter's call ended %v after its death; want within AckWait (%v)", d, ackWait)
	}
}

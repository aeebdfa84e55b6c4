package cluster

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"github.com/poolgen/poolgen/runtime/internal/proc"
	"github.com/poolgen/poolgen/runtime/internal/remote"
)

// Environment of a worker process: clusterEnv holds the URL it serves
// from; localEnv is set in the local workers that Start runs, which stop
// when their parent closes their stdin or dies.
const (
	clusterEnv = "POOLGEN_CLUSTER"
	localEnv   = "POOLGEN_CLUSTER_LOCAL"
)

func init() { remote.ClusterMain = workerMain }

// workerMain serves tasks from the cluster at $POOLGEN_CLUSTER, when it is
// set, until SIGINT or SIGTERM (a local worker: until its parent goes), and
// exits; anywhere else it returns at once.
func workerMain() {
	url := os.Getenv(clusterEnv)
	if url == "" {
		return
	}
	os.Unsetenv(clusterEnv) // what the tasks start is no worker
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	if os.Getenv(localEnv) != "" {
		os.Unsetenv(localEnv)
		// Ctrl+C goes to the parent, which decides; this worker lives as
		// long as its stdin, the parent's end of a pipe.
		signal.Ignore(os.Interrupt)
		go func() {
			io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}
	os.Exit(serveFrom(ctx, url))
}

// serveFrom dials url and serves its tasks until ctx ends; it returns the
// process's exit status.
func serveFrom(ctx context.Context, url string) int {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	c, err := Dial(dctx, url)
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "poolgen worker: %v\n", err)
		return 1
	}
	err = c.Serve(ctx)
	cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if cerr := c.Close(cctx); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "poolgen worker: %v\n", err)
		return 1
	}
	return 0
}

// localWorker runs one of Start's worker processes, and a new one each time
// it exits, until the cluster closes: then it closes the worker's stdin and
// waits for it to exit.
func (c *Cluster) localWorker(url string) {
	for {
		cmd, stdin, err := startLocal(url)
		if err != nil {
			fmt.Fprintf(os.Stderr, "poolgen: starting a worker process: %v\n", err)
		} else {
			exited := make(chan struct{})
			go func() {
				cmd.Wait()
				close(exited)
			}()
			select {
			case <-exited:
			case <-c.ctx.Done():
				stdin.Close()
				<-exited
				return
			}
		}
		select {
		case <-c.ctx.Done():
			return
		case <-time.After(100 * time.Millisecond): // a worker that cannot start must not spin
		}
	}
}

// startLocal starts a worker process of this binary on url.
func startLocal(url string) (*exec.Cmd, io.WriteCloser, error) {
	exe, err := proc.Executable()
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), clusterEnv+"="+url, localEnv+"=1")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	return cmd, stdin, nil
}

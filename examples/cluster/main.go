// Cluster renders the Mandelbrot set, tile by tile, on a poolgen cluster: the
// //poolgen:worker isolate=process function renderTile runs in worker
// processes that pull tiles from NATS JetStream.
//
// By default it starts an embedded cluster (a NATS server inside the
// process, listening on loopback only) with 2 local worker processes. With
// -nats URL it joins a running NATS server (with JetStream) instead, where
// workers on other machines serve: a worker is this same binary with
// POOLGEN_CLUSTER=URL in its environment.
//
// Progress goes to stderr, a line "cluster: N of M tiles" every half second;
// the summary to stdout. Ctrl+C stops every tile, on every worker, keeps
// what finished, prints "interrupted after N of M tiles" and exits with
// status 130.
//
// Usage:
//
//	cluster [-nats URL] [-grid n] [-pixels n] [-iter n] [-workers n]
//	POOLGEN_CLUSTER=nats://host:4222 cluster
package main

//go:generate go tool poolgen

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/poolgen/poolgen/runtime/cluster"
	"github.com/poolgen/poolgen/runtime/pool"
)

func main() {
	pool.ProcessMain() // a worker: serves tiles and exits
	ctx, stop := pool.InterruptContext(context.Background())
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// options are the flags.
type options struct {
	nats                string
	grid, pixels, iter  int
	workers, concurrent int
}

// run is the program without the process: it returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("cluster", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var o options
	fl.StringVar(&o.nats, "nats", "", "the NATS server to join (default: an embedded one)")
	fl.IntVar(&o.grid, "grid", 16, "tiles per side")
	fl.IntVar(&o.pixels, "pixels", 128, "pixels per side of a tile")
	fl.IntVar(&o.iter, "iter", 2000, "the most iterations per pixel")
	fl.IntVar(&o.workers, "workers", 2, "local worker processes of the embedded cluster")
	fl.IntVar(&o.concurrent, "concurrent", 4, "tiles in flight at once")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	c, err := connect(ctx, o)
	if err != nil {
		fmt.Fprintf(stderr, "cluster: %v\n", err)
		return 1
	}
	defer closeCluster(c, stderr)
	p := pool.New(ctx, pool.Remote(c), pool.Workers(o.concurrent))
	defer p.Close(context.Background())
	ts := tiles(o.grid, o.pixels, o.iter)
	done, err := render(ctx, p, ts, stderr)
	summary(stdout, done, len(ts))
	switch {
	case errors.Is(err, pool.ErrInterrupted):
		fmt.Fprintf(stdout, "interrupted after %d of %d tiles\n", len(done), len(ts))
		return 130
	case err != nil:
		fmt.Fprintf(stderr, "cluster: %v\n", err)
		return 1
	}
	return 0
}

// connect starts the embedded cluster, or joins the one at o.nats.
func connect(ctx context.Context, o options) (*cluster.Cluster, error) {
	if o.nats != "" {
		return cluster.Dial(ctx, o.nats)
	}
	return cluster.Start(ctx, cluster.LocalWorkers(o.workers))
}

// closeCluster closes c, giving its workers a few seconds.
func closeCluster(c *cluster.Cluster, stderr io.Writer) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Close(ctx); err != nil {
		fmt.Fprintf(stderr, "cluster: %v\n", err)
	}
}

// render renders ts on p, reporting progress on stderr, and returns the
// tiles rendered, and the first error (ctx's cause when it ended).
func render(ctx context.Context, p *pool.Pool, ts []tile, stderr io.Writer) ([]rendered, error) {
	var done []rendered
	last := time.Now()
	for r, err := range streamRenderTile(ctx, p, slices.Values(ts), pool.Unordered()) {
		if err != nil {
			if ctx.Err() != nil {
				return done, context.Cause(ctx)
			}
			return done, err
		}
		done = append(done, r)
		if time.Since(last) >= 500*time.Millisecond || len(done) == len(ts) {
			fmt.Fprintf(stderr, "cluster: %d of %d tiles\n", len(done), len(ts))
			last = time.Now()
		}
	}
	return done, nil
}

// summary prints what the rendered tiles add up to.
func summary(w io.Writer, done []rendered, total int) {
	var inside int
	var iters int64
	for _, r := range done {
		inside += r.Inside
		iters += r.Iters
	}
	fmt.Fprintf(w, "rendered %d of %d tiles: %d pixels in the set, %d iterations\n", len(done), total, inside, iters)
}

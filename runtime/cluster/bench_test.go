package cluster

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/poolgen/poolgen/runtime/pool"
)

// Benchmarks of issue 12, cluster mode on 2 local workers against process
// mode (the pool's own child processes):
//
//	go test -run '^$' -bench . -benchtime 2000x ./runtime/cluster
//
// RoundTrip reports the p50 of one Call, MapTiny the tasks/s of a Map of
// 10k tiny calls, Cancel the p50 from a cancel to the end of the remote
// call's ctx.

// benchPool returns a pool of mode: "cluster" (2 LocalWorkers) or "process".
func benchPool(b *testing.B, mode string) *pool.Pool {
	b.Helper()
	var opts []pool.Option
	if mode == "cluster" {
		c, err := Start(context.Background(), LocalWorkers(2))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { c.Close(context.Background()) })
		opts = append(opts, pool.Remote(c))
	}
	p := pool.New(context.Background(), append(opts, pool.Workers(2))...)
	b.Cleanup(func() { p.Close(context.Background()) })
	// Warm up: every worker and child started.
	if _, err := procAdd.Map(context.Background(), p, make([]int, 1000)); err != nil {
		b.Fatal(err)
	}
	return p
}

// reportP50 reports the median of ds as name.
func reportP50(b *testing.B, ds []time.Duration, name string) {
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds()), name)
}

func BenchmarkRoundTrip(b *testing.B) {
	for _, mode := range []string{"process", "cluster"} {
		b.Run(mode, func(b *testing.B) {
			p := benchPool(b, mode)
			ds := make([]time.Duration, 0, b.N)
			for b.Loop() {
				t0 := time.Now()
				if _, err := procAdd.Call(context.Background(), p, 1); err != nil {
					b.Fatal(err)
				}
				ds = append(ds, time.Since(t0))
			}
			reportP50(b, ds, "p50-µs")
		})
	}
}

func BenchmarkMapTiny(b *testing.B) {
	for _, mode := range []string{"process", "cluster"} {
		b.Run(mode, func(b *testing.B) {
			p := benchPool(b, mode)
			in := make([]int, 10_000)
			for b.Loop() {
				if _, err := procAdd.Map(context.Background(), p, in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(in))/b.Elapsed().Seconds(), "tasks/s")
		})
	}
}

func BenchmarkCancel(b *testing.B) {
	for _, mode := range []string{"process", "cluster"} {
		b.Run(mode, func(b *testing.B) {
			p := benchPool(b, mode)
			dir := b.TempDir()
			var ds []time.Duration
			for i := 0; b.Loop(); i++ {
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan struct{})
				go func() {
					procMark.Call(ctx, p, markArg{Dir: dir, N: i})
					close(done)
				}()
				waitFile(b, filepath.Join(dir, "started-"+strconv.Itoa(i)))
				t0 := time.Now()
				cancel()
				<-done
				ns, _ := strconv.ParseInt(waitFile(b, filepath.Join(dir, "ended-"+strconv.Itoa(i))), 10, 64)
				ds = append(ds, time.Unix(0, ns).Sub(t0))
			}
			reportP50(b, ds, "p50-µs")
		})
	}
}

// waitFile returns the content of the file at path once it has some.
func waitFile(b *testing.B, path string) string {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if data, err := os.ReadFile(path); err == nil && len(data) > 0 {
			return string(data)
		}
		time.Sleep(100 * time.Microsecond)
	}
	b.Fatalf("no %s", path)
	return ""
}

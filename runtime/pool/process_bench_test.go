//go:build linux

package pool

import (
	"context"
	"testing"
)

// BenchmarkProcessOverhead measures the cost per task of running a tiny task
// (n+1) through Map on two workers: goroutines, and child processes. The
// process figure is what bench/python/compare.sh sets against Python's
// multiprocessing.Pool.map with chunksize=1.
func BenchmarkProcessOverhead(b *testing.B) {
	add := func(_ context.Context, n int) (int, error) { return n + 1, nil }
	for _, mode := range []struct {
		name string
		fn   func(p *Pool) func(context.Context, int) (int, error)
	}{
		{"goroutine", func(*Pool) func(context.Context, int) (int, error) { return add }},
		{"process", func(p *Pool) func(context.Context, int) (int, error) {
			return func(ctx context.Context, n int) (int, error) { return procAdd.Call(ctx, p, n) }
		}},
	} {
		b.Run(mode.name, func(b *testing.B) {
			p := New(context.Background(), Workers(2))
			defer p.Close(context.Background())
			fn := mode.fn(p)
			warm := make([]int, 100)
			if _, err := Map(context.Background(), p, warm, fn); err != nil { // start the children
				b.Fatal(err)
			}
			in := make([]int, b.N)
			b.ResetTimer()
			if _, err := Map(context.Background(), p, in, fn); err != nil {
				b.Fatal(err)
			}
		})
	}
}

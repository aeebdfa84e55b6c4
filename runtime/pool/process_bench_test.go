//go:build linux

package pool

import (
	"context"
	"slices"
	"testing"
)

// BenchmarkProcessOverhead measures the cost per task of mapping a tiny task
// (n+1) on two workers: goroutines (Map); child processes with calls
// pipelined (ProcessFunc.Map, what generated Map wrappers of isolate=process
// workers call); child processes one blocking call at a time (Map with a
// func that calls ProcessFunc.Call); one call after another from one
// goroutine (the round trip to a child); and ProcessFunc.Stream. The process
// figure is what bench/python/compare.sh sets against Python's
// multiprocessing.Pool.map with chunksize=1.
func BenchmarkProcessOverhead(b *testing.B) {
	add := func(_ context.Context, n int) (int, error) { return n + 1, nil }
	for _, mode := range []struct {
		name string
		run  func(p *Pool, in []int) error
	}{
		{"goroutine", func(p *Pool, in []int) error {
			_, err := Map(context.Background(), p, in, add)
			return err
		}},
		{"process", func(p *Pool, in []int) error {
			_, err := procAdd.Map(context.Background(), p, in)
			return err
		}},
		{"process-call", func(p *Pool, in []int) error {
			_, err := Map(context.Background(), p, in, func(ctx context.Context, n int) (int, error) { return procAdd.Call(ctx, p, n) })
			return err
		}},
		{"process-roundtrip", func(p *Pool, in []int) error {
			for _, n := range in { // one call at a time: a round trip each
				if _, err := procAdd.Call(context.Background(), p, n); err != nil {
					return err
				}
			}
			return nil
		}},
		{"process-stream", func(p *Pool, in []int) error {
			for _, err := range procAdd.Stream(context.Background(), p, slices.Values(in)) {
				if err != nil {
					return err
				}
			}
			return nil
		}},
	} {
		b.Run(mode.name, func(b *testing.B) {
			p := New(context.Background(), Workers(2))
			defer p.Close(context.Background())
			if err := mode.run(p, make([]int, 100)); err != nil { // start the children
				b.Fatal(err)
			}
			in := make([]int, b.N)
			b.ResetTimer()
			if err := mode.run(p, in); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// Package tasks holds the work every contender of the benchmarks runs, so that
// each one does exactly the same thing, and Hash, the //poolgen:worker whose
// generated wrappers (poolgen_gen.go) are one of the contenders.
package tasks

//go:generate go tool poolgen

import (
	"context"
	"time"
)

// Mix is a task of about 50ns: rounds of an integer hash, each depending on the
// last (the runtime's micro-benchmarks run 24 rounds, about 14ns on an EPYC;
// BenchmarkTaskCost measures it where the benchmarks run).
//
//go:noinline
func Mix(x int) int {
	h := uint64(x) | 1
	for range 64 {
		h ^= h >> 33
		h *= 0xff51afd7ed558ccd
	}
	return int(h & 0xffff)
}

// Hash is Mix as a poolgen worker: the generator writes SubmitHash, MapHash and
// StreamHash for it.
//
//poolgen:worker
func Hash(_ context.Context, x int) (int, error) {
	return Mix(x), nil
}

// Spin runs Mix rounds times, a task of rounds×50ns of pure CPU.
func Spin(x, rounds int) int {
	for range rounds {
		x = Mix(x)
	}
	return x
}

// RoundsFor returns how many rounds of Spin take about d on this machine,
// measured on the calling goroutine.
func RoundsFor(d time.Duration) int {
	const probe = 20_000
	start := time.Now()
	Spin(1, probe)
	per := time.Since(start) / probe
	return max(1, int(d/max(per, 1)))
}

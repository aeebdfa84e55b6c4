package bench

import (
	"testing"
	"time"

	"github.com/poolgen/poolgen/bench/tasks"
)

// cpuTasks and cpuTaskTime size CPUTasks: 10k tasks of about 20µs of CPU each.
const (
	cpuTasks    = 10_000
	cpuTaskTime = 20 * time.Microsecond
)

// BenchmarkCPUTasks runs batches of 10k tasks of about 20µs of pure CPU and
// reports the efficiency against the ideal: the batch's work, timed on one
// goroutine just before (at its quickest), divided by the cores. 100 means no overhead at all; a
// machine shared with other work keeps everyone below it.
func BenchmarkCPUTasks(b *testing.B) {
	rounds := tasks.RoundsFor(cpuTaskTime)
	task := func(x int) int { return tasks.Spin(x, rounds) }
	in := indices(cpuTasks)
	for _, c := range fireContenders {
		b.Run("impl="+c.impl, func(b *testing.B) {
			batch, stop := c.setup(task)
			defer stop()
			out := make([]int, len(in))
			perTask := serialTime(task)
			ideal := time.Duration(len(in)) * perTask / time.Duration(workers)
			for b.Loop() {
				batch(in, out)
			}
			actual := b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(100*float64(ideal)/float64(actual), "eff%")
			b.ReportMetric(float64(perTask.Nanoseconds())/1e3, "µs-work/task")
		})
	}
}

// serialTime returns how long one call of task takes on the calling goroutine:
// the least of 10 timings of 25 calls, since on a shared machine every
// disturbance makes a timing longer, never shorter.
func serialTime(task func(int) int) time.Duration {
	const calls = 25
	least := time.Duration(1<<63 - 1)
	for range 10 {
		start := time.Now()
		for x := range calls {
			sinkInt = task(x)
		}
		least = min(least, time.Since(start))
	}
	return least / calls
}

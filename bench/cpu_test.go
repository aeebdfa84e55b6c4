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
// goroutine just before, divided by the cores. 100 means no overhead at all; a
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
			perTask := serialTime(task, 250) / 250
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

// serialTime runs task n times on the calling goroutine and returns how long
// that took.
func serialTime(task func(int) int, n int) time.Duration {
	start := time.Now()
	for x := range n {
		tasks.Spin(task(x), 0)
	}
	return time.Since(start)
}

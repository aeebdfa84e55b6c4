package bench

import (
	"runtime"
	"testing"

	"github.com/poolgen/poolgen/bench/tasks"
)

// tinyTasks is how many tasks of about 50ns a TinyTasks or TypedResults batch
// runs: enough that the cost per task is the pool's, not the batch's.
const tinyTasks = 100_000

// BenchmarkTinyTasks runs batches of 100k tasks of about 50ns that return
// nothing (each stores its result by index) and waits for each batch. It
// reports ns/task and allocs/task.
func BenchmarkTinyTasks(b *testing.B) {
	in := indices(tinyTasks)
	for _, c := range fireContenders {
		b.Run("impl="+c.impl, func(b *testing.B) {
			batch, stop := c.setup(tasks.Mix)
			defer stop()
			out := make([]int, len(in))
			perTask(b, len(in), func() { batch(in, out) })
			checkMixed(b, out)
		})
	}
}

// BenchmarkTypedResults runs batches of 100k tasks of about 50ns that each
// return an int, collected in input order through the library's result API.
func BenchmarkTypedResults(b *testing.B) {
	in := indices(tinyTasks)
	for _, c := range typedContenders {
		b.Run("impl="+c.impl, func(b *testing.B) {
			batch, stop := c.setup(tasks.Mix)
			defer stop()
			var out []int
			perTask(b, len(in), func() { out = batch(in) })
			checkMixed(b, out)
		})
	}
}

// perTask runs op under b.Loop and reports the time and the allocations (of
// every goroutine, the pool's too) per task, op running n tasks.
func perTask(b *testing.B, n int, op func()) { perUnit(b, n, "task", op) }

// perUnit runs op under b.Loop and reports ns/unit and allocs/unit (of every
// goroutine), op running n units: tasks, or a Map's inputs.
func perUnit(b *testing.B, n int, unit string, op func()) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		op()
	}
	runtime.ReadMemStats(&after)
	total := float64(b.N) * float64(n)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/total, "ns/"+unit)
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/total, "allocs/"+unit)
}

// indices returns 0, 1, …, n-1: the inputs, which are also where each result
// goes.
func indices(n int) []int {
	in := make([]int, n)
	for i := range in {
		in[i] = i
	}
	return in
}

// checkMixed fails b unless out[x] holds tasks.Mix(x) for every input x: every
// task ran, once, and its result landed in place.
func checkMixed(b *testing.B, out []int) {
	b.Helper()
	for x, v := range out {
		if v != tasks.Mix(x) {
			b.Fatalf("out[%d] = %d, want %d", x, v, tasks.Mix(x))
		}
	}
}

// BenchmarkTaskCost measures one task of TinyTasks on one goroutine, with no
// pool: what "about 50ns" is on this machine.
func BenchmarkTaskCost(b *testing.B) {
	b.Run("impl=serial-mix", func(b *testing.B) {
		s := 0
		for x := 0; b.Loop(); x++ {
			s += tasks.Mix(x)
		}
		sinkInt = s
	})
}

// sinkInt keeps the compiler from dropping work whose result nobody reads.
var sinkInt int

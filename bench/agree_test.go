package bench

import (
	"testing"

	"github.com/poolgen/poolgen/bench/tasks"
)

// These plain tests keep go test fast (the benchmarks run only with -bench)
// and check that every contender does the work the benchmarks say it does.

func TestFireContendersRunEveryTask(t *testing.T) {
	in := indices(1000)
	for _, c := range fireContenders {
		batch, stop := c.setup(tasks.Mix)
		out := make([]int, len(in))
		batch(in, out)
		stop()
		for x, v := range out {
			if v != tasks.Mix(x) {
				t.Fatalf("%s: out[%d] = %d, want %d", c.impl, x, v, tasks.Mix(x))
			}
		}
	}
}

func TestTypedContendersCollectInOrder(t *testing.T) {
	in := indices(1000)
	for _, c := range typedContenders {
		batch, stop := c.setup(tasks.Mix)
		out := batch(in)
		stop()
		if len(out) != len(in) {
			t.Fatalf("%s: %d results, want %d", c.impl, len(out), len(in))
		}
		for x, v := range out {
			if v != tasks.Mix(x) {
				t.Fatalf("%s: out[%d] = %d, want %d", c.impl, x, v, tasks.Mix(x))
			}
		}
	}
}

func TestStreamContendersYieldEveryInput(t *testing.T) {
	for _, c := range streamContenders {
		count, sum, want := 0, 0, 0
		for x := range 1000 {
			want += tasks.Mix(x)
		}
		c.run(upTo(1000), func(v int) { count++; sum += v })
		if count != 1000 || sum != want {
			t.Errorf("%s: %d results summing to %d, want 1000 summing to %d", c.impl, count, sum, want)
		}
	}
}

func TestCancelContendersReturnAfterCancel(t *testing.T) {
	for _, c := range cancelContenders {
		d, late := cancelOnce(c, 100)
		if d <= 0 || late < 0 || late > 100 {
			t.Errorf("%s: latency %v, %d started late", c.impl, d, late)
		}
	}
}

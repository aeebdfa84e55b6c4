package bench

import (
	"context"
	"testing"
	"time"

	"github.com/poolgen/poolgen/runtime/pool"
)

// deadlineInputs is how many inputs a Deadlines run maps: the 1M of issue 14.
const deadlineInputs = 1_000_000

// BenchmarkDeadlines runs Map and Stream over 1M inputs that each cost a
// multiplication, without a deadline, with Timeout(time.Minute) and with the
// pool's TaskTimeout(time.Minute): what a deadline that does not fire costs
// per input, against the same call without one.
func BenchmarkDeadlines(b *testing.B) {
	in := indices(deadlineInputs)
	double := func(_ context.Context, x int) (int, error) { return 2 * x, nil }
	ctx := context.Background()
	plain := pool.New(ctx, pool.Workers(workers))
	defer plain.Close(ctx)
	timed := pool.New(ctx, pool.Workers(workers), pool.TaskTimeout(time.Minute))
	defer timed.Close(ctx)
	mapWith := func(p *pool.Pool, opts ...pool.MapOption) func() {
		return func() {
			out, err := pool.Map(ctx, p, in, double, opts...)
			if err != nil || out[len(out)-1] != 2*(len(out)-1) {
				b.Fatalf("Map: %v", err)
			}
		}
	}
	streamWith := func(p *pool.Pool, opts ...pool.MapOption) func() {
		return func() {
			n := 0
			for _, err := range pool.Stream(ctx, p, func(yield func(int) bool) {
				for x := range deadlineInputs {
					if !yield(x) {
						return
					}
				}
			}, double, opts...) {
				if err != nil {
					b.Fatalf("Stream: %v", err)
				}
				n++
			}
			if n != deadlineInputs {
				b.Fatalf("Stream yielded %d of %d", n, deadlineInputs)
			}
		}
	}
	for _, c := range []struct {
		impl string
		run  func()
	}{
		{"map", mapWith(plain)},
		{"map-timeout", mapWith(plain, pool.Timeout(time.Minute))},
		{"map-tasktimeout", mapWith(timed)},
		{"stream", streamWith(plain)},
		{"stream-timeout", streamWith(plain, pool.Timeout(time.Minute))},
		{"stream-tasktimeout", streamWith(timed)},
	} {
		b.Run("impl="+c.impl, func(b *testing.B) { perUnit(b, deadlineInputs, "item", c.run) })
	}
}

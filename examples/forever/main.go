// Forever is the program of a 2015 bug report, "Interrupt the Python
// multiprocessing.Pool in graceful way", written with poolgen: a pool of two
// workers runs a function that loops forever, sleeping. In Python 2, Ctrl+C could
// not stop it, because the pool's wait ignored signals (bpo-8296); the known
// workaround was to wait with a huge timeout in a loop, result.get(0xfff).
//
// Here every wait takes a ctx, so the same program stops at the first Ctrl+C:
//
//	$ go run ./examples/forever
//	forever: 2026-01-02T15:04:05.000 sleeping
//	forever: 2026-01-02T15:04:05.500 sleeping
//	^C
//	interrupted: pool: interrupted by SIGINT; 1 task abandoned still sleeping
//	$ echo $?
//	130
//
// The worker is the Python one, line for line: it never looks at its ctx. The
// pool cannot stop such a goroutine (nothing in Go can), so it abandons it: the
// wait returns at once with the ctx's error, the late result would be dropped,
// and Stats().Abandoned counts it. Exiting the process ends it. A worker that
// honours its ctx ends cleanly instead; sleep with
//
//	select {
//	case <-ctx.Done():
//		return ctx.Err()
//	case <-time.After(500 * time.Millisecond):
//	}
package main

//go:generate go tool poolgen

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/poolgen/poolgen/runtime/pool"
)

// worker is Python's
//
//	def worker():
//	    while True:
//	        print time.time()
//	        time.sleep(.5)
//
// It takes a ctx, as every poolgen worker must, and ignores it on purpose;
// poolvet, which reports such a sleep, is told so.
//
//poolgen:worker
func worker(ctx context.Context) {
	for {
		fmt.Printf("forever: %s sleeping\n", time.Now().Format("2006-01-02T15:04:05.000"))
		//poolvet:ignore Python's worker as it was: the pool abandons it on Ctrl+C
		time.Sleep(500 * time.Millisecond)
	}
}

func main() {
	// The first Ctrl+C cancels ctx with the cause pool.ErrInterrupted; a second
	// one exits with status 130 at once. Python had no equivalent of this ctx.
	ctx, stop := pool.InterruptContext(context.Background())
	defer stop()

	p := pool.New(ctx, pool.Workers(2)) // pool = Pool(2)
	result := submitWorker(ctx, p)      // result = pool.apply_async(worker)
	_, err := result.Get(ctx)           // result.get(): returns when ctx is done
	msg := fmt.Sprintf("interrupted: %v", context.Cause(ctx))

	// Close waits for the running tasks, but only as long as its ctx allows:
	// the worker never returns, so Close gives up after a moment and says so.
	closeCtx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if p.Close(closeCtx) != nil {
		msg += fmt.Sprintf("; %d task abandoned still sleeping", p.Stats().Abandoned)
	}
	fmt.Println(msg)
	if err != nil {
		os.Exit(130)
	}
}

package pool_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/poolgen/poolgen/runtime/pool"
)

// compressor is a gzip writer that a worker reuses for every task it runs.
type compressor struct {
	buf    bytes.Buffer
	zw     *gzip.Writer
	closed *atomic.Int32
}

// size returns how many bytes s takes gzipped.
func (c *compressor) size(s string) (int, error) {
	c.buf.Reset()
	c.zw.Reset(&c.buf)
	if _, err := c.zw.Write([]byte(s)); err != nil {
		return 0, err
	}
	if err := c.zw.Close(); err != nil {
		return 0, err
	}
	return c.buf.Len(), nil
}

// Close is called when the compressor's worker exits.
func (c *compressor) Close() error { c.closed.Add(1); return nil }

func ExampleLocal() {
	var built, closed atomic.Int32
	// One compressor per worker, built on first use: a gzip.Writer allocates
	// hundreds of kilobytes, too much to make per task.
	compressors := pool.NewLocal(func(ctx context.Context) (*compressor, error) {
		built.Add(1)
		return &compressor{zw: gzip.NewWriter(nil), closed: &closed}, nil
	})

	ctx := context.Background()
	p := pool.New(ctx, pool.Workers(2))
	texts := []string{strings.Repeat("a", 1000), strings.Repeat("ab", 1000), "hello"}
	shrinks, err := pool.Map(ctx, p, texts, func(ctx context.Context, s string) (bool, error) {
		c, err := compressors.Get(ctx) // this worker's, used by one task at a time
		if err != nil {
			return false, err
		}
		n, err := c.size(s)
		return n < len(s), err
	})
	fmt.Println("gzip makes it smaller:", shrinks, err)

	// Close returns nil once every worker has exited and closed its values.
	if err := p.Close(ctx); err != nil {
		fmt.Println(err)
	}
	fmt.Println("every compressor built was closed:", built.Load() == closed.Load())
	// Output:
	// gzip makes it smaller: [true true false] <nil>
	// every compressor built was closed: true
}

func ExamplePool_Resize() {
	ctx := context.Background()
	p := pool.New(ctx, pool.Workers(1))
	defer p.Close(ctx)

	p.Resize(4) // four workers from now on
	// Four tasks that each wait for the others: they can only finish if all
	// four run at once.
	var arrived sync.WaitGroup
	arrived.Add(4)
	all := make(chan struct{})
	go func() { arrived.Wait(); close(all) }()
	meet := func(ctx context.Context, _ int) (bool, error) {
		arrived.Done()
		select {
		case <-all:
			return true, nil
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
	ctx5, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	met, err := pool.Map(ctx5, p, make([]int, 4), meet)
	fmt.Println(met, err)

	p.Resize(1) // each worker beyond 1 exits once its task is done
	// Output: [true true true true] <nil>
}

func ExamplePartialError() {
	ctx := context.Background()
	p := pool.New(ctx, pool.Workers(1))
	defer p.Close(ctx)

	isEven := func(ctx context.Context, n int) (bool, error) {
		if n < 0 {
			return false, errors.New("negative")
		}
		return n%2 == 0, nil
	}
	// The first error ends Map; false is a real answer, and the zero value of
	// the inputs that did not finish too: PartialError tells them apart.
	out, err := pool.Map(ctx, p, []int{4, 7, -1, 2}, isEven)
	var pe *pool.PartialError
	if errors.As(err, &pe) {
		for i, even := range out {
			if pe.Finished(i) {
				fmt.Println(i, even)
			} else {
				fmt.Println(i, "did not finish")
			}
		}
	}
	fmt.Println(err)
	// Output:
	// 0 true
	// 1 false
	// 2 did not finish
	// 3 did not finish
	// pool: input 2: negative
}

func ExampleTrySubmit() {
	ctx := context.Background()
	p := pool.New(ctx, pool.Workers(1), pool.QueueSize(1))
	defer p.Close(ctx)

	started, release := make(chan struct{}), make(chan struct{})
	busy := pool.Submit(ctx, p, func(ctx context.Context) (int, error) {
		close(started)
		<-release
		return 1, nil
	})
	<-started
	queued, ok1 := pool.TrySubmit(ctx, p, func(ctx context.Context) (int, error) { return 2, nil })
	_, ok2 := pool.TrySubmit(ctx, p, func(ctx context.Context) (int, error) { return 3, nil })
	fmt.Println(ok1, ok2) // the queue holds one task: the second is refused at once
	close(release)
	a, _ := busy.GetWithin(5 * time.Second)
	b, _ := queued.GetWithin(5 * time.Second)
	fmt.Println(a, b)
	// Output:
	// true false
	// 1 2
}

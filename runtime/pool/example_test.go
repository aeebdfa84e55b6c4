package pool_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/poolgen/poolgen/runtime/pool"
)

func ExampleSubmit() {
	ctx := context.Background()
	p := pool.New(ctx, pool.Workers(2))
	defer p.Close(ctx)

	f := pool.Submit(ctx, p, func(ctx context.Context) (string, error) {
		return strings.ToUpper("hello"), nil
	})
	// Every wait takes a ctx or a timeout: a stuck task cannot block the caller.
	s, err := f.GetWithin(time.Second)
	fmt.Println(s, err)
	// Output: HELLO <nil>
}

func ExampleMap() {
	ctx := context.Background()
	p := pool.New(ctx, pool.Workers(4))
	defer p.Close(ctx)

	lengths, err := pool.Map(ctx, p, []string{"a", "bb", "", "dddd"}, func(ctx context.Context, s string) (int, error) {
		if s == "" {
			return 0, errors.New("empty")
		}
		return len(s), nil
	}, pool.CollectErrors())
	fmt.Println(lengths)
	var te *pool.TaskError
	if errors.As(err, &te) {
		fmt.Println("input", te.Index, "failed:", te.Err)
	}
	// Output:
	// [1 2 0 4]
	// input 2 failed: empty
}

func ExampleStream() {
	ctx := context.Background()
	p := pool.New(ctx, pool.Workers(4))
	defer p.Close(ctx)

	squares := pool.Stream(ctx, p, slices.Values([]int{1, 2, 3, 4, 5}), func(ctx context.Context, x int) (int, error) {
		return x * x, nil
	})
	for sq, err := range squares { // in input order; Unordered() for completion order
		if err != nil {
			fmt.Println(err)
			break // breaking out cancels what is left
		}
		fmt.Print(sq, " ")
	}
	fmt.Println()
	// Output: 1 4 9 16 25
}

func ExampleInterruptContext() {
	// The first Ctrl+C cancels ctx with cause pool.ErrInterrupted; a second one
	// exits with status 130.
	ctx, stop := pool.InterruptContext(context.Background())
	defer stop()
	p := pool.New(ctx)
	defer p.Close(context.Background())

	out, err := pool.Map(ctx, p, []int{1, 2, 3}, func(ctx context.Context, x int) (int, error) {
		return 10 * x, nil
	})
	if errors.Is(context.Cause(ctx), pool.ErrInterrupted) {
		fmt.Println("interrupted; finished results are kept:", out)
		return
	}
	fmt.Println(out, err)
	// Output: [10 20 30] <nil>
}

func ExampleFuture_Cancel() {
	ctx := context.Background()
	p := pool.New(ctx, pool.Workers(1))
	defer p.Close(ctx)

	f := pool.Submit(ctx, p, func(ctx context.Context) (int, error) {
		<-ctx.Done() // a task that waits for its ctx
		return 0, ctx.Err()
	})
	f.Cancel()
	_, err := f.Get(ctx)
	fmt.Println(errors.Is(err, context.Canceled))
	// Output: true
}

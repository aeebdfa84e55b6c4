// Package notpool: a package named pool at another path is not the runtime.
package notpool

import (
	"context"
	"time"

	"notpool/pool"
)

func Submit(ctx context.Context, p any, fn func(context.Context) (int, error)) {}

func calls(ctx context.Context) {
	pool.Submit(ctx, func(ctx context.Context) (int, error) {
		time.Sleep(time.Second)
		return 0, nil
	})
	Submit(ctx, nil, func(ctx context.Context) (int, error) {
		time.Sleep(time.Second)
		return 0, nil
	})
}

// Package main uses the pool without process workers: it needs no
// ProcessMain.
package main

import (
	"context"

	"github.com/poolgen/poolgen/runtime/pool"
)

func main() {
	ctx := context.Background()
	pool.Submit(ctx, pool.New(ctx), func(ctx context.Context) (int, error) { return 1, nil })
}

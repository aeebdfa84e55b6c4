package lib // want package:`processWorkers\(processmain/thumbs\)`

// Package lib uses thumbs, so a program that imports lib runs its workers.

import (
	"context"

	"github.com/poolgen/poolgen/runtime/pool"
	"processmain/thumbs"
)

func Half(ctx context.Context, p *pool.Pool, n int) (int, error) {
	return thumbs.SubmitThumb(ctx, p, n).Get(ctx)
}

// TestMain outside a test file starts no test binary: not reported.
func TestMain() {}

package main

import (
	"context"

	"github.com/poolgen/poolgen/runtime/pool"
	"processmain/thumbs"
)

func main() {
	pool.ProcessMain()
	ctx := context.Background()
	thumbs.SubmitThumb(ctx, pool.New(ctx), 4)
}

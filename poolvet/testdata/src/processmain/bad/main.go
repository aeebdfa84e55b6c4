package main

import (
	"context"
	"fmt"

	"github.com/poolgen/poolgen/runtime/pool"
	"processmain/thumbs"
)

func main() { // want `^main must call pool.ProcessMain\(\) as its first statement: this program runs isolate=process workers \(pool.RegisterProcess in processmain/thumbs\)$`
	ctx := context.Background()
	p := pool.New(ctx)
	fmt.Println(thumbs.SubmitThumb(ctx, p, 4).Get(ctx))
}

// Package main calls ProcessMain, through an import alias, after flag.Parse:
// too late, a child has parsed the flags already. The fix moves the call.
package main

import (
	"context"
	"flag"

	rt "github.com/poolgen/poolgen/runtime/pool"
	"processmain/lib"
)

func main() { // want `^main must call pool.ProcessMain\(\) as its first statement: this program runs isolate=process workers \(pool.RegisterProcess in processmain/thumbs\)$`
	flag.Parse()
	rt.ProcessMain()
	ctx := context.Background()
	lib.Half(ctx, rt.New(ctx), 4)
}

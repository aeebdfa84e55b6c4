// Package main registers a process worker by hand, with the runtime
// dot-imported; its main is empty.
package main

import (
	"context"

	. "github.com/poolgen/poolgen/runtime/pool"
)

var double = RegisterProcess("main.double", func(ctx context.Context, n int) (int, error) { return 2 * n, nil })

func main() {} // want `^main must call pool.ProcessMain\(\) as its first statement: this program runs isolate=process workers \(pool.RegisterProcess in processmain/direct\)$`

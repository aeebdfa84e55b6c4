// Package main reaches thumbs through lib and does not import the runtime:
// reported, with no fix.
package main

import (
	"context"

	"processmain/lib"
)

func main() { // want `^main must call pool.ProcessMain\(\) as its first statement: this program runs isolate=process workers \(pool.RegisterProcess in processmain/thumbs\)$`
	lib.Half(context.Background(), nil, 4)
}

// Package pool is not poolgen's runtime, though it has its name and its
// function names.
package pool

import "context"

func Submit(ctx context.Context, fn func(context.Context) (int, error)) {}

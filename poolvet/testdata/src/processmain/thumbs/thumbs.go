package thumbs // want package:`processWorkers\(processmain/thumbs\)`

// Package thumbs has an isolate=process worker; thumbs_gen.go is its
// generated registration.

import "context"

//poolgen:worker isolate=process
func Thumb(ctx context.Context, size int) (int, error) { return size / 2, nil }

// main is no program's main outside package main: not reported.
func main() {}

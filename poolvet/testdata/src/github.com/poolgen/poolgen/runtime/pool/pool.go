// Package pool is a stub of poolgen's runtime with the signatures poolvet
// matches: Submit, Map and Stream by import path, fn by parameter name.
package pool

import (
	"context"
	"iter"
)

type Pool struct{}

type Future[T any] struct{}

type MapOption struct{}

func New(ctx context.Context) *Pool { return nil }

func Submit[T any](ctx context.Context, p *Pool, fn func(context.Context) (T, error)) *Future[T] {
	return nil
}

func Map[I, O any](ctx context.Context, p *Pool, in []I, fn func(context.Context, I) (O, error), opts ...MapOption) ([]O, error) {
	return nil, nil
}

func Stream[I, O any](ctx context.Context, p *Pool, in iter.Seq[I], fn func(context.Context, I) (O, error), opts ...MapOption) iter.Seq2[O, error] {
	return nil
}

func (f *Future[T]) Get(ctx context.Context) (T, error) {
	var zero T
	return zero, nil
}

func (f *Future[T]) Done() <-chan struct{} { return nil }

func ProcessMain() {}

type ProcessFunc[A, R any] struct{}

func RegisterProcess[A, R any](name string, fn func(context.Context, A) (R, error)) *ProcessFunc[A, R] {
	return nil
}

func (f *ProcessFunc[A, R]) Call(ctx context.Context, p *Pool, arg A) (R, error) {
	var zero R
	return zero, nil
}

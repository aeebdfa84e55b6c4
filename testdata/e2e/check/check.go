// Package check holds the helpers with which the end-to-end tests of the
// testdata cases call generated wrappers. The end-to-end test copies it into
// the module it builds, as example.com/e2e/check.
package check

import (
	"context"
	"errors"
	"iter"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/poolgen/poolgen/runtime/pool"
)

// Pool returns a pool of 2 workers, or as opts say, that is closed when the
// test ends.
func Pool(t *testing.T, opts ...pool.Option) *pool.Pool {
	t.Helper()
	p := pool.New(t.Context(), append([]pool.Option{pool.Workers(2)}, opts...)...)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := p.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return p
}

// Canceled returns a context that is already cancelled.
func Canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// Submit, Map and Stream are a worker's wrappers with one input of type I.
type (
	Submit[I, O any] func(context.Context, *pool.Pool, I) *pool.Future[O]
	Map[I, O any]    func(context.Context, *pool.Pool, []I, ...pool.MapOption) ([]O, error)
	Stream[I, O any] func(context.Context, *pool.Pool, iter.Seq[I], ...pool.MapOption) iter.Seq2[O, error]
)

// Wrappers checks a worker's three wrappers: called with in, each gives want;
// called with a cancelled ctx, each gives an error that is context.Canceled.
// A nil submit is not checked.
func Wrappers[I, O any](t *testing.T, submit Submit[I, O], mapf Map[I, O], stream Stream[I, O], in I, want O) {
	t.Helper()
	p, ctx := Pool(t), t.Context()
	if submit != nil {
		got, err := submit(ctx, p, in).Get(ctx)
		equal(t, "Submit", got, want, err)
		_, err = submit(Canceled(), p, in).Get(ctx)
		canceled(t, "Submit", err)
	}
	list, err := mapf(ctx, p, []I{in, in})
	equal(t, "Map", list, []O{want, want}, err)
	list, err = Collect(stream(ctx, p, slices.Values([]I{in, in})))
	equal(t, "Stream", list, []O{want, want}, err)

	_, err = mapf(Canceled(), p, []I{in})
	canceled(t, "Map", err)
	_, err = Collect(stream(Canceled(), p, slices.Values([]I{in})))
	canceled(t, "Stream", err)
}

// Collect gathers a stream's values up to its first error.
func Collect[O any](seq iter.Seq2[O, error]) ([]O, error) {
	var list []O
	for v, err := range seq {
		if err != nil {
			return list, err
		}
		list = append(list, v)
	}
	return list, nil
}

// equal fails the test unless err is nil and got is want.
func equal[O any](t *testing.T, what string, got, want O, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", what, err)
	} else if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

// canceled fails the test unless err is context.Canceled.
func canceled(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, context.Canceled) {
		t.Errorf("%s with a cancelled ctx: err = %v, want context.Canceled", what, err)
	}
}

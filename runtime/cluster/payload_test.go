package cluster

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/poolgen/poolgen/runtime/pool"
)

// procEcho returns its argument n times over.
var procEcho = pool.RegisterProcess("cluster_test.echo", func(_ context.Context, a echoArg) (string, error) {
	return strings.Repeat(a.S, a.N), nil
})

type echoArg struct {
	S string
	N int
}

func TestValueOverMaxPayloadFailsThatCall(t *testing.T) {
	c := start(t)
	p := newPool(t, c, pool.Workers(2))
	ctx := bounded(t)
	big := strings.Repeat("x", 2<<20)
	if _, err := procEcho.Call(ctx, p, echoArg{S: big, N: 1}); !errors.Is(err, ErrPayloadTooLarge) {
		t.Errorf("Call with a 2 MiB argument = %v; want ErrPayloadTooLarge", err)
	}
	if _, err := procEcho.Call(ctx, p, echoArg{S: "x", N: 2 << 20}); !errors.Is(err, ErrPayloadTooLarge) {
		t.Errorf("Call with a 2 MiB result = %v; want ErrPayloadTooLarge", err)
	}
	in := []echoArg{{S: "a", N: 1}, {S: big, N: 1}, {S: "c", N: 1}}
	out, err := procEcho.Map(ctx, p, in, pool.CollectErrors())
	var te *pool.TaskError
	if !errors.As(err, &te) || te.Index != 1 || !errors.Is(err, ErrPayloadTooLarge) {
		t.Errorf("Map = %v; want a *TaskError of input 1, ErrPayloadTooLarge", err)
	}
	if out[0] != "a" || out[2] != "c" {
		t.Errorf("Map = %q; want the other inputs' results", out)
	}
	// Batches near the limit are split, not refused.
	mid := make([]echoArg, 8)
	for i := range mid {
		mid[i] = echoArg{S: strings.Repeat("y", 300<<10), N: 1}
	}
	if _, err := procEcho.Map(ctx, p, mid); err != nil {
		t.Errorf("Map of 8 inputs of 300 KiB = %v; want nil", err)
	}
}

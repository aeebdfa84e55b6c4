package users_test // want package:`processWorkers\(processmain/thumbs\)`

import (
	"context"
	"testing"

	"github.com/poolgen/poolgen/runtime/pool"
	"processmain/thumbs"
)

func TestMain(m *testing.M) { // want `^TestMain must call pool.ProcessMain\(\) as its first statement: this test binary runs isolate=process workers \(pool.RegisterProcess in processmain/thumbs\)$`
	m.Run()
}

func TestThumb(t *testing.T) {
	ctx := context.Background()
	thumbs.SubmitThumb(ctx, pool.New(ctx), 4)
}

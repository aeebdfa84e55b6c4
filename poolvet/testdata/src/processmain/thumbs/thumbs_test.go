package thumbs

import (
	"os"
	"testing"

	"github.com/poolgen/poolgen/runtime/pool"
)

var _ *pool.Pool

func TestMain(m *testing.M) { // want `^TestMain must call pool.ProcessMain\(\) as its first statement: this test binary runs isolate=process workers \(pool.RegisterProcess in processmain/thumbs\)$`
	os.Exit(m.Run())
}

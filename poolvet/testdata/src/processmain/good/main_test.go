package main

import (
	"os"
	"testing"

	"github.com/poolgen/poolgen/runtime/pool"
)

func TestMain(m *testing.M) {
	(pool.ProcessMain())
	os.Exit(m.Run())
}

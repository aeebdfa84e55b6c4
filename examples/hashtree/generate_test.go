package main

import (
	"testing"

	"github.com/poolgen/poolgen/examples/internal/e2e"
)

// TestGeneratedFileIsFresh fails when poolgen_gen.go is stale: run
// go generate ./examples/hashtree.
func TestGeneratedFileIsFresh(t *testing.T) { e2e.CheckGenerated(t) }

package main

import (
	"context"
	"io"
	"path/filepath"
	"testing"
)

// BenchmarkRunGOROOTSrc runs hashtree over $(go env GOROOT)/src, the tree it
// reads by default, with the default flags: its wall time per run is the
// example's speed (compare with find | xargs -P2 sha256sum on the same tree).
// Profile it with -benchtime=1x -cpuprofile.
func BenchmarkRunGOROOTSrc(b *testing.B) {
	root, err := goroot()
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(root, "src")
	for b.Loop() {
		if code := run(context.Background(), []string{"-dir", dir}, io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit status %d", code)
		}
	}
}

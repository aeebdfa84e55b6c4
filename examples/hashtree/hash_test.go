package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	kgzip "github.com/klauspost/compress/gzip"
	"github.com/poolgen/poolgen/runtime/pool"
)

// TestGzippedIsKlauspostAtLevel6 checks that a file's Gzipped is the size of a
// real gzip stream of it, which compress/gzip reads back, written by
// klauspost/compress at level 6 (compress/gzip's default, not klauspost's 5).
func TestGzippedIsKlauspostAtLevel6(t *testing.T) {
	dir := makeTree(t, 40, 64<<10) // text and random files, 32 to 96 KiB
	files, err := listFiles(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	p := pool.New(context.Background(), pool.Workers(2))
	results, err := mapHashFile(context.Background(), p, files)
	closePool(t, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range results {
		data, err := os.ReadFile(res.Path)
		if err != nil {
			t.Fatal(err)
		}
		if want := level6Size(t, data); res.Gzipped != want {
			t.Errorf("%s: gzipped %d, want %d", filepath.Base(res.Path), res.Gzipped, want)
		}
	}
}

// level6Size gzips data with klauspost/compress at level 6, checks that
// compress/gzip reads it back, and returns its size.
func level6Size(t *testing.T, data []byte) int64 {
	t.Helper()
	var buf bytes.Buffer
	zw, err := kgzip.NewWriterLevel(&buf, 6)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	n := int64(buf.Len())
	zr, err := gzip.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	back, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(back, data) {
		t.Fatalf("gzip stream does not read back: %v", err)
	}
	return n
}

// closePool closes p and fails the test unless every worker exits in time.
func closePool(t *testing.T, p *pool.Pool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Close(ctx); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// TestOneGzipWriterPerWorker checks that each worker builds one gzip writer
// and keeps it for every file it hashes, through garbage collections (a
// sync.Pool drops what it holds at the second one).
func TestOneGzipWriterPerWorker(t *testing.T) {
	const workers = 2
	files, err := listFiles(context.Background(), makeTree(t, 40, 4<<10))
	if err != nil {
		t.Fatal(err)
	}
	p := pool.New(context.Background(), pool.Workers(workers))
	built := fileHashersBuilt.Load()
	for range 3 {
		if _, err := mapHashFile(context.Background(), p, files); err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		runtime.GC()
	}
	closePool(t, p)
	if n := fileHashersBuilt.Load() - built; n < 1 || n > workers {
		t.Errorf("%d gzip writers built for %d files on %d workers, want 1 to %d", n, 3*len(files), workers, workers)
	}
}

// TestHashingAFileAllocatesLittle checks that a worker reuses its read buffer
// too: io.Copy would allocate 32 KiB a file, as much as a small file's reading
// and hashing cost.
func TestHashingAFileAllocatesLittle(t *testing.T) {
	files, err := listFiles(context.Background(), makeTree(t, 50, 64<<10))
	if err != nil {
		t.Fatal(err)
	}
	p := pool.New(context.Background(), pool.Workers(1))
	defer closePool(t, p)
	if _, err := mapHashFile(context.Background(), p, files[:1]); err != nil { // builds the worker's fileHasher
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := mapHashFile(context.Background(), p, files); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if perFile := (after.TotalAlloc - before.TotalAlloc) / uint64(len(files)); perFile > 8<<10 {
		t.Errorf("hashing a file allocates %d bytes, want at most 8 KiB", perFile)
	}
}

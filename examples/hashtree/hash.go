package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
	"github.com/poolgen/poolgen/runtime/pool"
)

// fileResult is what hashtree learns about one file.
type fileResult struct {
	Path    string `json:"path"`
	Size    int64  `json:"size"`
	SHA256  string `json:"sha256"`
	Gzipped int64  `json:"gzipped"` // its size once gzipped at gzipLevel
}

// gzipLevel is the level hashtree gzips at: 6, compress/gzip's default.
// github.com/klauspost/compress/gzip, which hashtree uses, compresses several
// times faster than compress/gzip at the same level, with output of its own: a
// file's gzipped size differs from compress/gzip's by a few percent either way
// (over $(go env GOROOT)/src, 2% larger in all). Its DefaultCompression is 5.
const gzipLevel = 6

// hashFile reads the file at path once, hashing it with SHA-256 and measuring its
// gzipped size. It opens the file read-only: nothing is ever written to the tree.
// It checks ctx between reads, so a cancel stops it within one read.
//
//poolgen:worker
func hashFile(ctx context.Context, path string) (fileResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileResult{}, err
	}
	defer f.Close()
	gz, err := gzipSizers.Get(ctx)
	if err != nil {
		return fileResult{}, err
	}
	gz.reset()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(h, gz.zw), ctxReader{ctx, f})
	if err != nil {
		return fileResult{}, err
	}
	zipped, err := gz.size()
	if err != nil {
		return fileResult{}, err
	}
	return fileResult{Path: path, Size: n, SHA256: hex.EncodeToString(h.Sum(nil)), Gzipped: zipped}, nil
}

// gzipSizers holds one gzipSizer per worker of the pool that runs hashFile. A
// worker hashes one file at a time, so its sizer is never used by two files at
// once, and it keeps it for all its files: a new gzip writer allocates about
// 750 KB, which for thousands of small files costs more than compressing them.
var gzipSizers = pool.NewLocal(newGzipSizer)

// gzipSizersBuilt counts the gzipSizers built, for the tests: one per worker.
var gzipSizersBuilt atomic.Int64

// gzipSizer measures gzipped sizes with a reusable gzip writer. It is not an
// io.Closer: when its worker exits there is nothing to flush or release.
type gzipSizer struct {
	zw *gzip.Writer
	n  countingWriter // what zw wrote since reset
}

func newGzipSizer(context.Context) (*gzipSizer, error) {
	gzipSizersBuilt.Add(1)
	g := new(gzipSizer)
	zw, err := gzip.NewWriterLevel(&g.n, gzipLevel)
	if err != nil {
		return nil, err
	}
	g.zw = zw
	return g, nil
}

// reset starts a new gzip stream: write the file to g.zw, then call size.
func (g *gzipSizer) reset() {
	g.n = countingWriter{}
	g.zw.Reset(&g.n)
}

// size ends the stream and returns its length.
func (g *gzipSizer) size() (int64, error) {
	err := g.zw.Close()
	return g.n.n, err
}

// ctxReader is a reader that fails with ctx's error once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// countingWriter counts the bytes written to it and keeps none.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

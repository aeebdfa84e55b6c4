package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"sync"

	"github.com/klauspost/compress/gzip"
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
	h := sha256.New()
	var zipped countingWriter
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(&zipped)
	n, err := io.Copy(io.MultiWriter(h, zw), ctxReader{ctx, f})
	if err != nil {
		return fileResult{}, err
	}
	if err := zw.Close(); err != nil {
		return fileResult{}, err
	}
	return fileResult{Path: path, Size: n, SHA256: hex.EncodeToString(h.Sum(nil)), Gzipped: zipped.n}, nil
}

// gzipWriters keeps gzip writers for reuse: a new one allocates about 800 KB,
// which for thousands of small files costs more than compressing them.
var gzipWriters = sync.Pool{New: func() any {
	zw, err := gzip.NewWriterLevel(nil, gzipLevel)
	if err != nil {
		panic(err) // gzipLevel is a valid level
	}
	return zw
}}

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

package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"hash"
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
	fh, err := fileHashers.Get(ctx)
	if err != nil {
		return fileResult{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return fileResult{}, err
	}
	defer f.Close()
	return fh.hash(path, ctxReader{ctx, f})
}

// fileHashers holds one fileHasher per worker of the pool that runs hashFile.
// A worker hashes one file at a time, so its fileHasher is never used by two
// files at once, and it keeps it for all its files: a new gzip writer
// allocates about 750 KB, which for thousands of small files costs more than
// compressing them.
var fileHashers = pool.NewLocal(newFileHasher)

// fileHashersBuilt counts the fileHashers built, for the tests: one per worker.
var fileHashersBuilt atomic.Int64

// A fileHasher is what a worker reuses from file to file: a SHA-256 state, a
// gzip writer and a read buffer. It is not an io.Closer: when its worker exits
// there is nothing to flush or release.
type fileHasher struct {
	sha    hash.Hash
	zw     *gzip.Writer
	zipped countingWriter // what zw wrote for the file
	buf    []byte
}

func newFileHasher(context.Context) (*fileHasher, error) {
	fileHashersBuilt.Add(1)
	fh := &fileHasher{sha: sha256.New(), buf: make([]byte, 32<<10)}
	zw, err := gzip.NewWriterLevel(&fh.zipped, gzipLevel)
	if err != nil {
		return nil, err
	}
	fh.zw = zw
	return fh, nil
}

// hash reads r to its end and returns what it learned, as the result for path.
func (fh *fileHasher) hash(path string, r io.Reader) (fileResult, error) {
	fh.sha.Reset()
	fh.zipped = countingWriter{}
	fh.zw.Reset(&fh.zipped)
	n, err := io.CopyBuffer(io.MultiWriter(fh.sha, fh.zw), r, fh.buf)
	if err != nil {
		return fileResult{}, err
	}
	if err := fh.zw.Close(); err != nil {
		return fileResult{}, err
	}
	sum := hex.EncodeToString(fh.sha.Sum(fh.buf[:0]))
	return fileResult{Path: path, Size: n, SHA256: sum, Gzipped: fh.zipped.n}, nil
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

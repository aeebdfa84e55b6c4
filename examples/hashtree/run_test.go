package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/poolgen/poolgen/examples/internal/e2e"
)

// TestFullRunReportsEveryRegularFile runs hashtree to the end on a small tree
// with a FIFO in it (opening one would block: hashtree must skip it) and checks
// the JSON summary against the files.
func TestFullRunReportsEveryRegularFile(t *testing.T) {
	const files = 24
	dir := makeTree(t, files, 4<<10)
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := e2e.Digest(t, dir)

	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-dir", dir, "-workers", "3", "-json"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", code, &stderr)
	}
	var r report
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("%v:\n%s", err, &stdout)
	}
	if r.Files != files || r.Total != files || len(r.Results) != files || r.Interrupted {
		t.Errorf("files %d, total %d, results %d, interrupted %v; want %d, %d, %d, false",
			r.Files, r.Total, len(r.Results), r.Interrupted, files, files, files)
	}
	var bytesSum int64
	for _, res := range r.Results {
		data, err := os.ReadFile(res.Path)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if res.SHA256 != hex.EncodeToString(sum[:]) || res.Size != int64(len(data)) {
			t.Errorf("%s: sha256 %s, size %d; want %x, %d", res.Path, res.SHA256, res.Size, sum, len(data))
		}
		bytesSum += res.Size
	}
	if r.Bytes != bytesSum {
		t.Errorf("bytes %d, want %d", r.Bytes, bytesSum)
	}
	if len(r.Largest) != 10 || r.Largest[0].Size < r.Largest[9].Size || r.Largest[0].Size != maxSize(r.Results) {
		t.Errorf("largest is not the ten largest, largest first: %+v", r.Largest)
	}
	// makeTree writes text and random files: gzip tells them apart.
	if len(r.Best) == 0 || ratio(r.Best[0]) > 0.1 {
		t.Errorf("best ratio is not a text file: %+v", r.Best)
	}
	if len(r.Worst) == 0 || ratio(r.Worst[0]) < 1 {
		t.Errorf("worst ratio is not a random file: %+v", r.Worst)
	}
	if after := e2e.Digest(t, dir); after != before {
		t.Errorf("the tree changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

func maxSize(rs []fileResult) int64 {
	var m int64
	for _, r := range rs {
		m = max(m, r.Size)
	}
	return m
}

// TestFileTimeoutFailsFilesAndExits1: a file that takes longer than -timeout
// is a failure, reported by name, not an interruption.
func TestFileTimeoutFailsFilesAndExits1(t *testing.T) {
	dir := makeTree(t, 3, 1<<10)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-dir", dir, "-timeout", "1ns"}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stdout.String(), "3 files failed:") ||
		!strings.Contains(stdout.String(), "deadline exceeded") || strings.Contains(stdout.String(), "interrupted") {
		t.Errorf("exit status %d, summary:\n%s\nwant status 1 and 3 files failed on their deadline", code, &stdout)
	}
}

// TestInterruptBeforeListingStillSummarizes: Ctrl+C during the directory walk
// also ends in the partial summary and status 130.
func TestInterruptBeforeListingStillSummarizes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"-dir", t.TempDir()}, &stdout, &stderr)
	if code != 130 || !strings.HasPrefix(stdout.String(), "interrupted after 0 of 0 files\n") {
		t.Errorf("exit status %d, summary:\n%s\nwant 130 and \"interrupted after 0 of 0 files\"", code, &stdout)
	}
}

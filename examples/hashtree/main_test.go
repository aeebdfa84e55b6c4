package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/poolgen/poolgen/examples/internal/e2e"
)

// hashtreeBin is the hashtree binary that TestMain builds for the end-to-end tests.
var hashtreeBin string

func TestMain(m *testing.M) { e2e.Main(m, &hashtreeBin) }

// makeTree writes n files of about size bytes each under a new temporary
// directory, in ten subdirectories, and returns the directory. Half the files
// are random bytes that gzip cannot shrink (those whose i/10 is even), half
// text that it shrinks well; their names are
// long, so that a JSON summary of a few hundred files fills a pipe.
func makeTree(t *testing.T, n, size int) string {
	t.Helper()
	dir := t.TempDir()
	rng := rand.NewChaCha8([32]byte{})
	long := strings.Repeat("x", 100)
	for i := range n {
		sub := filepath.Join(dir, fmt.Sprintf("d%d", i%10))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		data := make([]byte, size/2+i*size/n)
		if i/10%2 == 0 {
			rng.Read(data)
		} else {
			line := []byte(fmt.Sprintf("line of file %d, to compress\n", i))
			for j := range data {
				data[j] = line[j%len(line)]
			}
		}
		name := filepath.Join(sub, fmt.Sprintf("f%04d-%s.dat", i, long))
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// progressLine matches hashtree's plain progress lines.
var progressLine = regexp.MustCompile(`^hashtree: (\d+) of (\d+) files$`)

// progressDone returns N of a line "hashtree: N of M files", or -1.
func progressDone(line string) int {
	m := progressLine.FindStringSubmatch(line)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// interruptedLine matches the first line of an interrupted run's summary.
var interruptedLine = regexp.MustCompile(`(?m)^interrupted after (\d+) of (\d+) files$`)

// checkInterrupted checks that out starts the summary of a run that was
// interrupted after at least done of total files, and before the end.
func checkInterrupted(t *testing.T, out string, done, total int) {
	t.Helper()
	m := interruptedLine.FindStringSubmatch(out)
	if m == nil || !bytes.HasPrefix([]byte(out), []byte(m[0])) {
		t.Fatalf("summary does not start with %q:\n%s", "interrupted after N of M files", out)
	}
	n, _ := strconv.Atoi(m[1])
	m2, _ := strconv.Atoi(m[2])
	if m2 != total || n < done || n >= total {
		t.Errorf("summary says %d of %d files; want at least %d and fewer than %d, of %d", n, m2, done, total, total)
	}
}

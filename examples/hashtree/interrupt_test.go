package main

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/poolgen/poolgen/examples/internal/e2e"
)

// TestInterruptPrintsPartialSummaryAndExits130 is Ctrl+C as a user gives it:
// a real SIGINT once hashtree has shown progress.
func TestInterruptPrintsPartialSummaryAndExits130(t *testing.T) {
	const files = 600
	dir := makeTree(t, files, 64<<10)
	before := e2e.Digest(t, dir)

	p := e2e.Start(t, exec.Command(hashtreeBin, "-dir", dir, "-workers", "1"))
	first := p.WaitLine("a progress line", func(l string) bool { return progressDone(l) >= 1 })
	p.Signal(os.Interrupt)
	if code := p.Wait(); code != 130 {
		t.Errorf("exit status %d, want 130; stderr:\n%s", code, p.Stderr())
	}
	checkInterrupted(t, p.Stdout(), progressDone(first), files)
	if after := e2e.Digest(t, dir); after != before {
		t.Errorf("the tree changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestSecondInterruptExitsWhileSummaryIsBlocked gives the first SIGINT while
// nobody reads hashtree's stdout, so that the long -json summary cannot be
// written and the program cannot end; the second SIGINT must end it anyway.
// (Should hashing end before the first SIGINT, the summary blocks all the same.)
func TestSecondInterruptExitsWhileSummaryIsBlocked(t *testing.T) {
	const files = 1500
	dir := makeTree(t, files, 2<<10)
	stdout, unread, err := os.Pipe() // never read: the summary fills its buffer
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdout.Close(); unread.Close() })

	cmd := exec.Command(hashtreeBin, "-dir", dir, "-workers", "2", "-json")
	cmd.Stdout = unread
	p := e2e.Start(t, cmd)
	// Each result takes about 300 bytes of JSON: 400 of them overflow a 64 KiB pipe.
	p.WaitLine("progress past 400 files", func(l string) bool { return progressDone(l) >= 400 })
	p.Signal(os.Interrupt)
	time.Sleep(500 * time.Millisecond) // time to hit the full pipe
	if p.Exited() {
		t.Fatalf("hashtree exited after the first SIGINT: the summary did not block; stderr:\n%s", p.Stderr())
	}
	p.Signal(os.Interrupt)
	if code := p.Wait(); code != 130 {
		t.Errorf("exit status %d after the second SIGINT, want 130; stderr:\n%s", code, p.Stderr())
	}
}

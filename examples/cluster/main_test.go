package main

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/poolgen/poolgen/examples/internal/e2e"
	"github.com/poolgen/poolgen/runtime/cluster"
	"github.com/poolgen/poolgen/runtime/pool"
)

// clusterBin is the example's binary, which TestMain builds.
var clusterBin string

func TestMain(m *testing.M) {
	pool.ProcessMain() // this package registers isolate=process workers: poolvet asks for it, and it costs nothing here
	e2e.Main(m, &clusterBin)
}

// TestGeneratedFileIsFresh fails when poolgen_gen.go is stale: run
// go generate ./examples/cluster.
func TestGeneratedFileIsFresh(t *testing.T) { e2e.CheckGenerated(t) }

func TestRendersEveryTileOnTwoLocalWorkers(t *testing.T) {
	p := e2e.Start(t, exec.Command(clusterBin, "-grid", "4", "-pixels", "32", "-iter", "200"))
	if code := p.Wait(); code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", code, p.Stderr())
	}
	if !strings.Contains(p.Stdout(), "rendered 16 of 16 tiles") {
		t.Errorf("stdout:\n%s\nwant every tile rendered", p.Stdout())
	}
	noProcessOf(t, clusterBin)
}

// progress is the count of tiles in a progress line, or -1.
func progress(line string) int {
	m := regexp.MustCompile(`^cluster: (\d+) of \d+ tiles`).FindStringSubmatch(line)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestInterruptStopsEverywhereAndKeepsFinishedTiles is Ctrl+C as a user gives
// it: a real SIGINT once tiles are done.
func TestInterruptStopsEverywhereAndKeepsFinishedTiles(t *testing.T) {
	p := e2e.Start(t, exec.Command(clusterBin, "-grid", "24", "-pixels", "64", "-iter", "3000"))
	first := progress(p.WaitLine("a progress line", func(l string) bool { return progress(l) >= 1 }))
	p.Signal(os.Interrupt)
	if code := p.Wait(); code != 130 {
		t.Fatalf("exit status %d, want 130; stderr:\n%s", code, p.Stderr())
	}
	m := regexp.MustCompile(`interrupted after (\d+) of 576 tiles`).FindStringSubmatch(p.Stdout())
	if m == nil {
		t.Fatalf("stdout:\n%s\nwant \"interrupted after N of 576 tiles\"", p.Stdout())
	}
	if n, _ := strconv.Atoi(m[1]); n < first || n >= 576 {
		t.Errorf("interrupted after %d tiles; want the %d shown before the interrupt at least, and not all", n, first)
	}
	noProcessOf(t, clusterBin)
}

func TestJoinsAServerAndServesWithPOOLGEN_CLUSTER(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), e2e.Timeout)
	defer cancel()
	c, err := cluster.Start(ctx, cluster.Listen("127.0.0.1:0"), cluster.LocalWorkers(0))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	worker := exec.Command(clusterBin)
	worker.Env = append(os.Environ(), "POOLGEN_CLUSTER="+c.URL())
	w := e2e.Start(t, worker)
	p := e2e.Start(t, exec.Command(clusterBin, "-nats", c.URL(), "-grid", "4", "-pixels", "32", "-iter", "200"))
	if code := p.Wait(); code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", code, p.Stderr())
	}
	if !strings.Contains(p.Stdout(), "rendered 16 of 16 tiles") {
		t.Errorf("stdout:\n%s\nwant every tile rendered", p.Stdout())
	}
	w.Signal(syscall.SIGTERM)
	if code := w.Wait(); code != 0 {
		t.Errorf("the worker exited with status %d after SIGTERM; stderr:\n%s", code, w.Stderr())
	}
}

// noProcessOf fails the test unless every process running bin has exited
// within e2e.Timeout.
func noProcessOf(t *testing.T, bin string) {
	t.Helper()
	deadline := time.Now().Add(e2e.Timeout)
	for {
		out, _ := exec.Command("pgrep", "-f", bin).Output()
		if len(strings.TrimSpace(string(out))) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes of %s left: %s", bin, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

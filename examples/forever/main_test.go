package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/poolgen/poolgen/examples/internal/e2e"
)

// foreverBin is the forever binary that TestMain builds.
var foreverBin string

func TestMain(m *testing.M) { e2e.Main(m, &foreverBin) }

// TestGeneratedFileIsFresh fails when poolgen_gen.go is stale: run
// go generate ./examples/forever.
func TestGeneratedFileIsFresh(t *testing.T) { e2e.CheckGenerated(t) }

// TestCtrlCStopsAWorkerThatSleepsForever is the Python bug report's test: the
// worker never returns and never looks at its ctx, yet one SIGINT ends the
// program with status 130, saying that the worker was abandoned.
func TestCtrlCStopsAWorkerThatSleepsForever(t *testing.T) {
	dir := t.TempDir()
	before := e2e.Digest(t, dir)
	cmd := exec.Command(foreverBin)
	cmd.Dir = dir
	p := e2e.Start(t, cmd)
	p.WaitLine("the worker's first line", func(l string) bool { return strings.HasSuffix(l, " sleeping") })
	p.Signal(os.Interrupt)
	if code := p.Wait(); code != 130 {
		t.Errorf("exit status %d, want 130; stderr:\n%s", code, p.Stderr())
	}
	const want = "interrupted: pool: interrupted by SIGINT; 1 task abandoned still sleeping\n"
	if out := p.Stdout(); !strings.Contains(out, "\n"+want) {
		t.Errorf("stdout has no line %q:\n%s", want, out)
	}
	if after := e2e.Digest(t, dir); after != before {
		t.Errorf("forever wrote into its working directory:\n%s", after)
	}
}

package main

import (
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/creack/pty"
	"github.com/poolgen/poolgen/examples/internal/e2e"
)

// TestCtrlCOnATerminal runs hashtree with a pseudo-terminal as its stdin and
// stderr, as in a shell: it must draw the progress bar there, and a Ctrl+C
// typed on that terminal (the byte 0x03, which the terminal turns into SIGINT)
// must stop it with the partial summary on stdout and status 130.
func TestCtrlCOnATerminal(t *testing.T) {
	const files = 600
	dir := makeTree(t, files, 64<<10)
	before := e2e.Digest(t, dir)

	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ptmx.Close() })
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 100}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(hashtreeBin, "-dir", dir, "-workers", "1")
	cmd.Stdin, cmd.Stderr = tty, tty
	// A session of its own with the pty as controlling terminal, so that the
	// terminal's Ctrl+C goes to hashtree's process group.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	p := e2e.Start(t, cmd, ptmx)
	tty.Close() // hashtree has its copy

	// The bar: "hashing  12% |████      | (75/600, 40 files/s)".
	p.WaitLine("the progress bar", func(l string) bool {
		return strings.Contains(l, "hashing") && strings.Contains(l, "|") && strings.Contains(l, "/600")
	})
	if _, err := ptmx.Write([]byte{0x03}); err != nil {
		t.Fatal(err)
	}
	if code := p.Wait(); code != 130 {
		t.Errorf("exit status %d, want 130; terminal:\n%s", code, p.Output())
	}
	checkInterrupted(t, p.Stdout(), 0, files)
	for _, l := range strings.Split(p.Output(), "\n") {
		if progressDone(l) >= 0 {
			t.Errorf("plain progress line %q on a terminal, where the bar is", l)
		}
	}
	if after := e2e.Digest(t, dir); after != before {
		t.Errorf("the tree changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

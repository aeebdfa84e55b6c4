// Package e2e runs the examples as their users do, for their tests: it builds
// the binary, starts it, waits for a line of its output, interrupts it and waits for
// its exit. Every wait is bounded by Timeout, so a hang fails the test instead
// of blocking CI.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Timeout bounds every wait: generous, since CI machines are shared and slow.
const Timeout = 30 * time.Second

// build compiles the main package in the working directory into dir and
// returns the binary's path.
func build(dir string) (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, filepath.Base(wd))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "go", append(append([]string{"build"}, buildFlags...), "-o", bin, ".")...).CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

// Proc is a started program whose output is read line by line as it comes.
// Lines end at "\n" or "\r", so that a redrawn progress bar gives lines too.
type Proc struct {
	t       testing.TB
	cmd     *exec.Cmd
	exited  chan struct{} // closed once cmd.Wait returned
	waitErr error         // what cmd.Wait returned
	read    sync.WaitGroup

	mu     sync.Mutex
	lines  []string        // of every stream, in the order read
	text   [2]bytes.Buffer // stdout and stderr, when Start made their pipes
	eof    int             // streams read to the end
	nread  int             // streams being read
	notify chan struct{}   // a token after each new line or end of stream
}

// Start starts cmd. Its stdout and stderr, unless the caller set them, go to
// pipes that Stdout and Stderr read; extra readers (a pty's master) are read
// for lines too. The process is killed when the test ends, if it still runs.
func Start(t testing.TB, cmd *exec.Cmd, extra ...io.Reader) *Proc {
	t.Helper()
	p := &Proc{t: t, cmd: cmd, exited: make(chan struct{}), notify: make(chan struct{}, 1)}
	var readers []io.Reader
	var writers []*os.File
	for i, out := range []*io.Writer{&cmd.Stdout, &cmd.Stderr} {
		if *out != nil {
			continue
		}
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		*out = w
		writers = append(writers, w)
		readers = append(readers, io.TeeReader(r, lockedWriter{&p.mu, &p.text[i]}))
		t.Cleanup(func() { r.Close() })
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for _, w := range writers {
		w.Close() // the child has its copy: EOF comes when it exits
	}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.exited
		p.read.Wait()
	})
	for _, r := range append(readers, extra...) {
		p.nread++
		p.read.Add(1)
		go p.scan(r)
	}
	return p
}

// lockedWriter writes to a buffer that Proc's mutex guards.
type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(b)
}

func (p *Proc) scan(r io.Reader) {
	defer p.read.Done()
	sc := bufio.NewScanner(r)
	sc.Split(scanLines)
	for sc.Scan() {
		p.mu.Lock()
		p.lines = append(p.lines, sc.Text())
		p.mu.Unlock()
		p.poke()
	}
	p.mu.Lock()
	p.eof++
	p.mu.Unlock()
	p.poke()
}

func (p *Proc) poke() {
	select {
	case p.notify <- struct{}{}:
	default:
	}
}

// scanLines is bufio.ScanLines that also ends a line at "\r".
func scanLines(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// WaitLine waits for a line, of any stream, for which match is true, and
// returns it. It fails the test when the output ends or Timeout passes first.
func (p *Proc) WaitLine(what string, match func(line string) bool) string {
	p.t.Helper()
	deadline := time.NewTimer(Timeout)
	defer deadline.Stop()
	for seen := 0; ; {
		p.mu.Lock()
		lines, ended := p.lines[seen:], p.eof == p.nread
		p.mu.Unlock()
		for _, l := range lines {
			seen++
			if match(l) {
				return l
			}
		}
		if ended {
			p.t.Fatalf("output ended before %s:\n%s", what, p.Output())
		}
		select {
		case <-p.notify:
		case <-deadline.C:
			p.t.Fatalf("no %s within %v:\n%s", what, Timeout, p.Output())
		}
	}
}

// Signal sends sig to the process.
func (p *Proc) Signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("signal %v: %v", sig, err)
	}
}

// Exited reports whether the process has exited.
func (p *Proc) Exited() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// Wait waits for the process to exit and for its output to end, and returns
// its exit status. It kills the process and fails the test after Timeout.
func (p *Proc) Wait() int {
	p.t.Helper()
	select {
	case <-p.exited:
	case <-time.After(Timeout):
		p.cmd.Process.Kill()
		p.t.Fatalf("still running %v after it was told to stop:\n%s", Timeout, p.Output())
	}
	done := make(chan struct{})
	go func() { p.read.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(Timeout):
		p.t.Fatalf("output still open %v after exit", Timeout)
	}
	var exit *exec.ExitError
	if err := p.waitErr; err != nil && !errors.As(err, &exit) {
		p.t.Fatal(err)
	}
	return p.cmd.ProcessState.ExitCode()
}

// Stdout is what the process wrote to the stdout pipe that Start made.
func (p *Proc) Stdout() string { return p.textOf(0) }

// Stderr is what the process wrote to the stderr pipe that Start made.
func (p *Proc) Stderr() string { return p.textOf(1) }

func (p *Proc) textOf(i int) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.text[i].String()
}

// Output is every line read so far, for failure messages.
func (p *Proc) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

// Main builds the main package in the working directory for a test binary's
// TestMain, sets *bin to the binary's path, runs the tests and removes the
// binary. Building once keeps each test fast.
func Main(m *testing.M, bin *string) {
	dir, err := os.MkdirTemp("", "e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	*bin, err = build(dir)
	code := 1
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
	} else {
		code = m.Run()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

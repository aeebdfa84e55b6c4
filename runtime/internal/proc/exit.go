package proc

import (
	"fmt"
	"os"
	"strings"
	"sync"
)

// ExitError is how a child ended while it held calls: it died, or was
// killed. Package pool shows it as a *pool.WorkerExitError.
type ExitError struct {
	Code   int    // the exit status, or 128+n when signal n killed it
	Stderr string // the tail of what the child wrote on stderr
	Why    string // why the pool killed it, when it did
}

// killedStatus is the Code of a child killed by SIGKILL.
const killedStatus = 128 + 9

// Error gives the exit status and why the child died: the line of a Go
// crash report that says so ("panic: ...", "fatal error: ..."), or else the
// last lines of stderr.
func (e *ExitError) Error() string {
	msg := fmt.Sprintf("pool: worker process exited with status %d", e.Code)
	if e.Why != "" {
		msg += " (" + e.Why + ")"
	}
	if line := crashLine(e.Stderr); line != "" {
		return msg + ": " + line
	}
	if tail := lastLines(e.Stderr, 5); tail != "" {
		msg += "; stderr ends with:\n" + tail
	}
	return msg
}

// crashLine returns the first line of the last crash report of the Go
// runtime in stderr, or "".
func crashLine(stderr string) string {
	at := -1
	for _, head := range []string{"panic: ", "fatal error: "} {
		if i := strings.LastIndex("\n"+stderr, "\n"+head); i > at {
			at = i
		}
	}
	if at < 0 {
		return ""
	}
	line, _, _ := strings.Cut(stderr[at:], "\n")
	return line
}

// lastLines returns the last n lines of s, without a final newline.
func lastLines(s string, n int) string {
	s = strings.TrimRight(s, "\n")
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '\n' {
			if n--; n == 0 {
				return s[i+1:]
			}
		}
	}
	return s
}

// tailMax is how much of a child's stderr an ExitError keeps.
const tailMax = 4 << 10

// tailBuffer passes a child's stderr on to ours and keeps its tail.
type tailBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	os.Stderr.Write(p)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > 2*tailMax {
		t.b = append(t.b[:0], t.b[len(t.b)-tailMax:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b[max(0, len(t.b)-tailMax):])
}

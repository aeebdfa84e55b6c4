package pool

import (
	"context"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	ProcessMain() // serves tasks when this test binary runs as a pool's child process
	if os.Getenv(progressPanicEnv) != "" {
		progressPanicChild() // a child process of TestProgressPanicDoesNotKillTheProcess; exits
		return
	}
	if os.Getenv(childEnv) != "" {
		interruptChild() // a child process of TestInterruptContext*; exits
		return
	}
	for env, main := range helperMains {
		if os.Getenv(env) != "" {
			main() // a helper process of a test; exits
			return
		}
	}
	goleak.VerifyTestMain(m)
}

// helperMains maps an environment variable to the main of a helper process
// that a test starts from this binary with that variable set.
var helperMains = map[string]func(){}

// newPool returns a pool that the test's cleanup closes, asserting that Close
// returns nil and that no goroutine is left.
func newPool(t *testing.T, opts ...Option) *Pool {
	t.Helper()
	p := New(context.Background(), opts...)
	t.Cleanup(func() { closeQuiet(t, p) })
	return p
}

// closeQuiet closes p, failing the test unless Close returns nil within a generous
// bound and leaves no goroutine behind.
func closeQuiet(t *testing.T, p *Pool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Close(ctx); err != nil {
		t.Errorf("Close: %v", err)
	}
	goleak.VerifyNone(t)
}

// hang is a task body that ignores its ctx until release is closed.
func hang[T any](release <-chan struct{}, v T) func(context.Context) (T, error) {
	return func(context.Context) (T, error) {
		<-release
		return v, nil
	}
}

// within fails the test when ch is not closed within a generous bound: the waits
// under test must return at once, and a hang must fail rather than block CI.
func within(t *testing.T, what string, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s did not return", what)
	}
}

// eventually polls cond until it holds, failing the test after a generous bound.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

package pool

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

const childEnv = "POOL_TEST_INTERRUPT_CHILD"

// interruptChild is the program TestInterruptContext* run in a child process: it
// waits for a signal to cancel its ctx, says so, then waits for a second one.
func interruptChild() {
	ctx, stop := InterruptContext(context.Background())
	defer stop()
	fmt.Println("ready")
	<-ctx.Done()
	cause := context.Cause(ctx)
	var ie *InterruptError
	fmt.Println("cause:", cause, errors.Is(cause, ErrInterrupted), errors.As(cause, &ie))
	time.Sleep(time.Minute) // the second signal exits with status 130
	os.Exit(3)
}

func TestInterruptContextFirstSignalCancelsSecondExits130(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), childEnv+"=1")
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := make(chan string)
			go func() {
				defer close(lines)
				sc := bufio.NewScanner(out)
				for sc.Scan() {
					lines <- sc.Text()
				}
			}()
			expect := func(want string) {
				t.Helper()
				select {
				case got := <-lines:
					if got != want {
						t.Fatalf("child said %q; want %q", got, want)
					}
				case <-time.After(10 * time.Second):
					cmd.Process.Kill()
					t.Fatalf("child did not say %q", want)
				}
			}
			expect("ready")
			cmd.Process.Signal(sig)
			name := map[syscall.Signal]string{syscall.SIGINT: "SIGINT", syscall.SIGTERM: "SIGTERM"}[sig]
			expect("cause: pool: interrupted by " + name + " true true")
			cmd.Process.Signal(sig)
			for range lines {
			}
			err = cmd.Wait()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 130 {
				t.Fatalf("child exited with %v; want status 130", err)
			}
		})
	}
}

func TestInterruptContextCancelFuncStopsListening(t *testing.T) {
	ctx, stop := InterruptContext(context.Background())
	stop()
	stop() // a second call is harmless
	within(t, "ctx after stop", ctx.Done())
	if context.Cause(ctx) == ErrInterrupted {
		t.Fatal("stop cancelled with ErrInterrupted; want a plain cancel")
	}
}

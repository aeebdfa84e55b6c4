package main_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// badWorker is a module with one worker that sleeps; it uses the real runtime
// through a replace directive.
const badWorker = `package bad

import (
	"context"
	"time"

	"github.com/poolgen/poolgen/runtime/pool"
)

func Run(ctx context.Context, p *pool.Pool) {
	pool.Submit(ctx, p, func(ctx context.Context) (int, error) {
		time.Sleep(time.Second)
		return 0, nil
	})
}
`

// TestPoolvetRunsAloneAndUnderGoVet builds poolvet and runs it both ways on a
// module with a sleeping worker: each run must fail and name the sleep.
func TestPoolvetRunsAloneAndUnderGoVet(t *testing.T) {
	if testing.Short() {
		t.Skip("builds poolvet and runs the go command")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "poolvet")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	mod := filepath.Join(tmp, "bad")
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(mod, "go.sum"), string(sum))
	write(t, filepath.Join(mod, "go.mod"), "module bad\n\ngo 1.26\n\nrequire github.com/poolgen/poolgen v0.0.0\n\nreplace github.com/poolgen/poolgen => "+root+"\n")
	write(t, filepath.Join(mod, "bad.go"), badWorker)

	for _, args := range [][]string{{bin, "./..."}, {"go", "vet", "-vettool=" + bin, "./..."}} {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = mod
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatalf("%s: err = %v, want a failing exit status\n%s", strings.Join(args, " "), err, out)
		}
		if want := "bad.go:12:3: time.Sleep cannot be interrupted"; !strings.Contains(string(out), want) {
			t.Errorf("%s: output lacks %q:\n%s", strings.Join(args, " "), want, out)
		}
	}
}

// write creates the file at path, and its directory, with text.
func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

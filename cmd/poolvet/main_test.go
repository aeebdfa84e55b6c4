package main_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// badWorker is a package with one worker that sleeps.
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
	bin := build(t)
	mod := module(t, map[string]string{"bad.go": badWorker})
	for _, args := range [][]string{{bin, "./..."}, {"go", "vet", "-vettool=" + bin, "./..."}} {
		out, code := run(t, mod, args...)
		if code == 0 {
			t.Errorf("%s: exit status 0, want a failing one\n%s", strings.Join(args, " "), out)
		}
		if want := "bad.go:12:3: time.Sleep cannot be interrupted"; !strings.Contains(out, want) {
			t.Errorf("%s: output lacks %q:\n%s", strings.Join(args, " "), want, out)
		}
	}
}

// halfFixable is a worker with one wait that has a fix (http.NewRequest)
// and one that has none (time.Sleep).
const halfFixable = `package bad

import (
	"context"
	"net/http"
	"time"

	"github.com/poolgen/poolgen/runtime/pool"
)

func Run(ctx context.Context, p *pool.Pool) {
	pool.Submit(ctx, p, func(ctx context.Context) (*http.Request, error) {
		time.Sleep(time.Second)
		return http.NewRequest("GET", "http://example.com", nil)
	})
}
`

// TestFixReportsWhatItCouldNotFix checks that poolvet -fix applies the fixes
// it has, then reports each problem left and fails, so that CI running it
// cannot pass while problems remain; once none is left, it passes quietly.
func TestFixReportsWhatItCouldNotFix(t *testing.T) {
	if testing.Short() {
		t.Skip("builds poolvet and runs the go command")
	}
	bin := build(t)
	mod := module(t, map[string]string{"bad.go": halfFixable})
	out, code := run(t, mod, bin, "-fix", "./...")
	if code != 3 {
		t.Errorf("poolvet -fix: exit status %d, want 3 (problems left)\n%s", code, out)
	}
	if want := "bad.go:13:3: time.Sleep cannot be interrupted"; !strings.Contains(out, want) || strings.Count(out, "\n") != 1 {
		t.Errorf("poolvet -fix: output is not the one problem left, %q:\n%s", want, out)
	}
	src, err := os.ReadFile(filepath.Join(mod, "bad.go"))
	if err != nil {
		t.Fatal(err)
	}
	if want := `http.NewRequestWithContext(ctx, "GET"`; !strings.Contains(string(src), want) {
		t.Errorf("poolvet -fix did not apply the fix %s:\n%s", want, src)
	}

	fixed := strings.Replace(string(src), "time.Sleep(time.Second)", "_ = time.Second", 1)
	write(t, filepath.Join(mod, "bad.go"), fixed)
	if out, code := run(t, mod, bin, "-fix", "./..."); code != 0 || out != "" {
		t.Errorf("poolvet -fix with nothing to report: exit status %d, output %q; want 0 and none", code, out)
	}
}

// build builds poolvet into a temporary directory and returns its path.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "poolvet")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// module writes a module named bad with files, which uses this repository's
// runtime through a replace directive, and returns its directory.
func module(t *testing.T, files map[string]string) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	mod := filepath.Join(t.TempDir(), "bad")
	write(t, filepath.Join(mod, "go.sum"), string(sum))
	write(t, filepath.Join(mod, "go.mod"), "module bad\n\ngo 1.26\n\nrequire github.com/poolgen/poolgen v0.0.0\n\nreplace github.com/poolgen/poolgen => "+root+"\n")
	for name, text := range files {
		write(t, filepath.Join(mod, name), text)
	}
	return mod
}

// run runs args in dir and returns their combined output and exit status.
func run(t *testing.T, dir string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), 0
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

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// asTool, set in the environment, makes the test binary run as poolgen.
const asTool = "POOLGEN_TEST_AS_TOOL"

func TestMain(m *testing.M) {
	if os.Getenv(asTool) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// TestEndToEnd runs the test binary as poolgen, in a subprocess, on every
// testdata case in one module, then runs go vet and go test on that module:
// each case's wrappers_test.go calls every wrapper, cancellation included.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and tests a module")
	}
	root := newModule(t)
	check, err := os.ReadFile("../../testdata/e2e/check/check.go")
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, root, map[string][]byte{"check/check.go": check})
	var tags []string
	for _, c := range readCases(t) {
		dir := filepath.Join(root, c.name)
		writeFiles(t, dir, c.input)
		exit, stderr := runTool(t, dir, c.args...)
		t.Run(c.name, func(t *testing.T) { c.check(t, root, dir, exit, stderr) })
		if c.exit != 0 {
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
		}
		for i, arg := range c.args {
			if arg == "-tags" && i+1 < len(c.args) {
				tags = append(tags, c.args[i+1])
			}
		}
	}
	if *update {
		return
	}
	gocmd(t, root, "vet", "-tags="+strings.Join(tags, ","), "./...")
	gocmd(t, root, "test", "-tags="+strings.Join(tags, ","), "./...")
}

// runTool runs the test binary as poolgen in dir, and returns its exit status and stderr.
func runTool(t *testing.T, dir string, args ...string) (int, string) {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), asTool+"=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), stderr.String()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, stderr.String()
}

// gocmd runs the go command in dir and fails the test if it fails.
func gocmd(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

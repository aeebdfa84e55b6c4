package main

import (
	"bytes"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestGolden runs poolgen in-process on every testdata/*.txtar case and
// compares its exit status, stderr and written files with the expected ones.
func TestGolden(t *testing.T) {
	root := newModule(t)
	for _, c := range readCases(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(root, c.name)
			writeFiles(t, dir, c.input)
			var stdout, stderr bytes.Buffer
			exit := exitCode(runIn(dir, c.args, &stdout, &stderr))
			c.check(t, root, dir, exit, stderr.String())
		})
	}
}

// TestHelpPrintsTheManual checks that -help prints doc.go's package comment on
// stdout and exits 0.
func TestHelpPrintsTheManual(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := runIn(t.TempDir(), []string{"-help"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stdout.String(), "Poolgen writes typed Submit") || !strings.Contains(stdout.String(), "# Checking in CI") {
		t.Errorf("-help printed:\n%s", stdout.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("-help wrote on stderr: %s", stderr.String())
	}
}

// TestCheckPassesAfterRun runs every case that succeeds and writes, then
// -check with the same arguments, which must find everything fresh: a second
// run must not change what the first wrote.
func TestCheckPassesAfterRun(t *testing.T) {
	root := newModule(t)
	for _, c := range readCases(t) {
		if c.exit != 0 || slices.Contains(c.args, "-check") {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(root, c.name)
			writeFiles(t, dir, c.input)
			var stderr bytes.Buffer
			if err := runIn(dir, c.args, io.Discard, &stderr); err != nil {
				t.Fatalf("run: %v\n%s", err, stderr.String())
			}
			// A run that warns about an old output left in a package without
			// workers leaves it for the user to delete: -check must then fail.
			warned := strings.Contains(stderr.String(), "warning:")
			args := append([]string{"-check"}, c.args...)
			err := runIn(dir, args, io.Discard, &stderr)
			switch {
			case err != nil && !warned:
				t.Errorf("-check after a run: %v\n%s", err, stderr.String())
			case err == nil && warned:
				t.Errorf("-check after a run that warned passed; want it to fail on the file left\n%s", stderr.String())
			}
		})
	}
}

package main

import (
	"bytes"
	"path/filepath"
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

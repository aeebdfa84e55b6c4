package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestGoToolPoolgenRunsTheExamples checks, from the repository's root, the
// way the README installs poolgen: each example's go:generate line is
// "go tool poolgen", and go tool poolgen (through the tool directive of
// go.mod) finds every example's output fresh, so go generate leaves no diff.
func TestGoToolPoolgenRunsTheExamples(t *testing.T) {
	out, err := exec.Command("go", "-C", "../..", "generate", "-n", "./examples/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go generate -n: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for _, line := range lines {
		if line != "go tool poolgen" {
			t.Errorf("go generate -n ./examples/... runs %q; want go tool poolgen", line)
		}
	}
	if len(lines) < 2 {
		t.Errorf("go generate -n ./examples/... runs %q; want go tool poolgen in each example", lines)
	}
	gocmd(t, "../..", "tool", "poolgen", "-check", "./examples/...")
}

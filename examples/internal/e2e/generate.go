package e2e

import (
	"context"
	"os/exec"
	"testing"
	"time"
)

// CheckGenerated fails the test when the generated file of the package in the
// working directory is not what poolgen writes for it today, so that a stale
// poolgen_gen.go fails CI instead of misleading a reader.
func CheckGenerated(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "run", "github.com/poolgen/poolgen/cmd/poolgen", "-check", ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("poolgen -check (run go generate): %v\n%s", err, out)
	}
}

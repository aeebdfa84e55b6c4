package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/poolgen/poolgen/runtime/pool"
)

// After Ctrl+C the summary still lists the files that failed before it.
func TestSummaryAfterInterruptListsTheFilesThatFailedBeforeIt(t *testing.T) {
	files := []string{"a", "b", "c"}
	err := &pool.PartialError{
		Err:      fmt.Errorf("interrupted: %w", context.Canceled),
		Failures: []*pool.TaskError{{Index: 1, Err: errors.New("permission denied")}},
	}
	r := summarize("dir", files, make([]fileResult, len(files)), err, 0)
	if want := []string{"b: permission denied"}; !slices.Equal(r.Failed, want) {
		t.Errorf("Failed = %q; want %q", r.Failed, want)
	}
}

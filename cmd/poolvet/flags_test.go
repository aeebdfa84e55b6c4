package main

import (
	"slices"
	"testing"
)

// TestWithoutFix checks which arguments turn -fix on, and what is left for
// the run that reports the problems.
func TestWithoutFix(t *testing.T) {
	for _, tc := range []struct {
		args, rest []string
		fix        bool
	}{
		{[]string{"./..."}, []string{"./..."}, false},
		{[]string{"-fix", "./..."}, []string{"./..."}, true},
		{[]string{"--fix", "-test=false", "./..."}, []string{"-test=false", "./..."}, true},
		{[]string{"-fix=true", "-c", "2", "./..."}, []string{"-c", "2", "./..."}, true},
		{[]string{"-fix=false", "./..."}, []string{"-fix=false", "./..."}, false},
		{[]string{"-fixes", "./..."}, []string{"-fixes", "./..."}, false},
		{[]string{"--", "-fix"}, []string{"--", "-fix"}, false},
	} {
		rest, fix := withoutFix(tc.args)
		if !slices.Equal(rest, tc.rest) || fix != tc.fix {
			t.Errorf("withoutFix(%q) = %q, %v; want %q, %v", tc.args, rest, fix, tc.rest, tc.fix)
		}
	}
}

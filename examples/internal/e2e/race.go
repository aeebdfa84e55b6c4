//go:build race

package e2e

// buildFlags build the examples with the race detector when their tests run
// under it, so that the end-to-end runs check the runtime for races too.
var buildFlags = []string{"-race"}

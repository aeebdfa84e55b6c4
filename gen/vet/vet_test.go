package vet_test

import (
	"testing"

	"github.com/poolgen/poolgen/gen/vet"
	"golang.org/x/tools/go/analysis/analysistest"
)

// TestAnalyzer checks every rule against the // want comments of its
// testdata package, and every fix against the package's .golden files.
func TestAnalyzer(t *testing.T) {
	dir := analysistest.TestData()
	analysistest.RunWithSuggestedFixes(t, dir, vet.Analyzer,
		"sleep", "channels", "waits", "twins", "unusedctx", "ignore", "nocontext", "depth", "notpool", "generated")
}

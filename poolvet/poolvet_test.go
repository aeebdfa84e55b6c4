package poolvet_test

import (
	"strings"
	"testing"

	"github.com/poolgen/poolgen/poolvet"
	"golang.org/x/tools/go/analysis/analysistest"
)

// TestAnalyzer checks every rule against the // want comments of its
// testdata package, and every fix against the package's .golden files.
func TestAnalyzer(t *testing.T) {
	dir := analysistest.TestData()
	analysistest.RunWithSuggestedFixes(t, dir, poolvet.Analyzer,
		"sleep", "channels", "waits", "twins", "unusedctx", "ignore", "nocontext", "depth", "notpool", "generated")
}

// TestProcessMain checks the report of a main or TestMain that does not call
// pool.ProcessMain first in a program with isolate=process workers, found
// through imports, and its fix.
func TestProcessMain(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), poolvet.Analyzer, "processmain/...")
}

// TestDocIsTheManual checks that the Analyzer's Doc is doc.go's section
// "# Analyzer poolvet": a title line, then the manual.
func TestDocIsTheManual(t *testing.T) {
	title, rest, _ := strings.Cut(poolvet.Analyzer.Doc, "\n\n")
	if title != "report waits in poolgen worker bodies that no context can interrupt" {
		t.Errorf("title = %q", title)
	}
	if !strings.HasPrefix(rest, "# Workers\n\nA worker is") || !strings.HasSuffix(rest, "silence its own line.") {
		t.Errorf("Doc after the title is not the manual:\n%s", rest)
	}
}

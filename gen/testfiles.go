package gen

import (
	"bytes"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"

	"github.com/poolgen/poolgen/internal/directive"
)

// checkTestFiles reports each //poolgen:worker directive in the _test.go files
// of dir. poolgen loads a package without its tests, so such a worker would
// be skipped without a word; and the generated file, which is not a test
// file, could not call it anyway.
func (b *builder) checkTestFiles(dir string) {
	if dir == "" {
		return
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
	fset := token.NewFileSet()
	for _, name := range names {
		if base := filepath.Base(name); strings.HasPrefix(base, "_") || strings.HasPrefix(base, ".") {
			continue // the go command ignores it
		}
		src, err := os.ReadFile(name)
		if err != nil || !bytes.Contains(src, []byte(directive.Worker)) {
			continue
		}
		f, _ := parser.ParseFile(fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
		if f == nil {
			continue
		}
		for _, g := range f.Comments {
			for _, c := range g.List {
				if directive.IsWorker(c.Text) {
					b.errs.errorf(fset.Position(c.Slash), "%s in a test file: poolgen reads a package without its _test.go files, and its output could not call a test's function; move the worker to a file not named *_test.go", directive.Worker)
				}
			}
		}
	}
}

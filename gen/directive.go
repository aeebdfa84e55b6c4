package gen

import (
	"go/ast"
	"go/token"

	"github.com/poolgen/poolgen/internal/directive"
)

// findDirectives returns the functions of file annotated with //poolgen:worker,
// in source order, and reports every misplaced or malformed directive.
func findDirectives(fset *token.FileSet, file *ast.File, errs *ErrorList) []directive.Directive {
	dirs, problems := directive.Find(fset, file)
	for _, e := range problems {
		*errs = append(*errs, Error(e))
	}
	return dirs
}

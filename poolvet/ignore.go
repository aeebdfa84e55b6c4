package poolvet

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// ignorePrefix starts the comment that silences the report on the next line.
const ignorePrefix = "//poolvet:ignore"

// A reporter reports diagnostics in one file, except those that a
// //poolvet:ignore comment with a reason silences.
type reporter struct {
	pass     *analysis.Pass
	ignored  map[int]bool          // lines whose reports are silenced
	buffered map[types.Object]bool // the file's locals x := make(chan T, n), never assigned again
}

// newReporter reads the ignore comments of file and reports each one that
// gives no reason: such a comment silences nothing.
func newReporter(pass *analysis.Pass, file *ast.File) *reporter {
	r := &reporter{pass: pass, ignored: map[int]bool{}}
	r.buffered = definedBy(pass.TypesInfo, file, func(e ast.Expr) bool { return isBufferedMake(pass.TypesInfo, e) })
	for _, g := range file.Comments {
		for _, c := range g.List {
			rest, ok := strings.CutPrefix(c.Text, ignorePrefix)
			if !ok || rest != "" && rest[0] != ' ' && rest[0] != '\t' {
				continue
			}
			switch {
			case strings.TrimSpace(rest) == "":
				pass.Reportf(c.Pos(), "%s needs a reason, as in %s the loop ends within a millisecond: without one it silences nothing", ignorePrefix, ignorePrefix)
				continue
			case afterCode(pass, c):
				pass.Reportf(c.Pos(), "%s silences the line below it: put it on a line of its own, above the report", ignorePrefix)
				continue
			}
			r.ignored[pass.Fset.Position(c.Pos()).Line+1] = true
		}
	}
	return r
}

// report reports d unless an ignore comment on the line before silences it.
func (r *reporter) report(d analysis.Diagnostic) {
	if r.ignored[r.pass.Fset.Position(d.Pos).Line] {
		return
	}
	r.pass.Report(d)
}

// reportf reports a diagnostic without a fix at pos.
func (r *reporter) reportf(pos token.Pos, format string, args ...any) {
	r.report(analysis.Diagnostic{Pos: pos, Message: fmt.Sprintf(format, args...)})
}

// afterCode reports whether code precedes comment c on its line, where an
// ignore comment would look as if it silenced its own line.
func afterCode(pass *analysis.Pass, c *ast.Comment) bool {
	tf := pass.Fset.File(c.Pos())
	src, err := pass.ReadFile(tf.Name())
	if err != nil {
		return false // cannot tell: trust the comment
	}
	start := tf.Offset(tf.LineStart(tf.Line(c.Pos())))
	return strings.TrimSpace(string(src[start:tf.Offset(c.Pos())])) != ""
}

package poolvet

import (
	_ "embed"
	"go/ast"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// Analyzer reports waits in worker bodies that no ctx can interrupt, and a
// main or TestMain that does not call pool.ProcessMain first in a program
// with isolate=process workers; the package comment says what it reports and
// how deep it looks.
var Analyzer = &analysis.Analyzer{
	Name:      "poolvet",
	Doc:       doc,
	Run:       run,
	FactTypes: []analysis.Fact{new(processWorkers)},
}

//go:embed doc.go
var docFile string

// doc is the "# Analyzer poolvet" section of doc.go's package comment, which
// poolvet -help prints; its first line, without "poolvet: ", is the title.
var doc = analyzerDoc(docFile, "poolvet")

// analyzerDoc returns the section headed "# Analyzer name" of the package
// comment in src, up to the end of the comment, in plain text, with "name: "
// cut from its first line. It panics when src has no such section.
func analyzerDoc(src, name string) string {
	var lines []string
	for line := range strings.Lines(src) {
		text, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), "//")
		if !ok {
			break // the package clause
		}
		lines = append(lines, strings.TrimPrefix(text, " "))
	}
	_, section, ok := strings.Cut(strings.Join(lines, "\n"), "# Analyzer "+name+"\n\n")
	if !ok {
		panic("doc.go has no section # Analyzer " + name)
	}
	return strings.TrimPrefix(section, name+": ")
}

// run finds the workers of every hand-written file and checks each one, and
// when the package runs isolate=process workers, its main or TestMain.
func run(pass *analysis.Pass) (any, error) {
	where := registersProcess(pass)
	if where != "" && pass.Pkg.Name() != "main" { // no package imports a main package
		pass.ExportPackageFact(&processWorkers{Where: where})
	}
	for _, file := range pass.Files {
		if ast.IsGenerated(file) {
			continue // its author is a tool; poolvet checks the worker it calls
		}
		r := newReporter(pass, file)
		for _, w := range findWorkers(pass.TypesInfo, file) {
			checkWorker(r, w)
		}
		if where != "" {
			checkProcessMain(r, file, where)
		}
	}
	return nil, nil
}

// A worker is one body that a pool runs: a //poolgen:worker function or a
// func literal passed to pool.Submit, pool.Map or pool.Stream.
type worker struct {
	body      *ast.BlockStmt
	ctx       *types.Var // its context.Context param; nil without one
	ctxField  *ast.Field // where ctx is declared
	nocontext bool       // a //poolgen:worker nocontext function
}

// ctxName returns the name by which code at n refers to the worker's ctx, or
// "" when it has none, it is unnamed or blank, or another ctx shadows it there.
func (w *worker) ctxName(pkg *types.Package, n ast.Node) string {
	if w.ctx == nil || w.ctx.Name() == "" || w.ctx.Name() == "_" {
		return ""
	}
	scope := pkg.Scope().Innermost(n.Pos())
	if scope == nil {
		return ""
	}
	if _, obj := scope.LookupParent(w.ctx.Name(), n.Pos()); obj != w.ctx {
		return ""
	}
	return w.ctx.Name()
}

// checkWorker runs every rule over one worker's body. A worker that ignores
// its ctx and waits gets one report per wait, each saying how to use ctx
// there, and no second report about the unused ctx.
func checkWorker(r *reporter, w *worker) {
	k := newWalker(r, w)
	k.walk(w.body)
	if k.found == 0 {
		checkUnusedCtx(r, w)
	}
}

// isContext reports whether t is context.Context.
func isContext(t types.Type) bool {
	return isNamed(t, "context", "Context")
}

// isNamed reports whether t, or the type t points to, is the named type
// path.name.
func isNamed(t types.Type, path, name string) bool {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return false
	}
	obj := n.Obj()
	return obj.Name() == name && obj.Pkg() != nil && obj.Pkg().Path() == path
}

// isFunc reports whether fn is the package-level function path.name.
func isFunc(fn *types.Func, path, name string) bool {
	return fn != nil && fn.Name() == name && fn.Pkg() != nil && fn.Pkg().Path() == path &&
		fn.Signature().Recv() == nil
}

// isMethod reports whether fn is the method name of the type path.typ.
func isMethod(fn *types.Func, path, typ, name string) bool {
	if fn == nil || fn.Name() != name {
		return false
	}
	recv := fn.Signature().Recv()
	return recv != nil && isNamed(recv.Type(), path, typ)
}

// pkgPath returns the import path of fn's package, or "" for a builtin.
func pkgPath(fn *types.Func) string {
	if fn == nil || fn.Pkg() == nil {
		return ""
	}
	return fn.Pkg().Path()
}

package poolvet

import (
	"fmt"
	"go/ast"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"
)

// processWorkers is the fact of a package that runs isolate=process workers:
// it calls pool.RegisterProcess, as poolgen's output for isolate=process
// does, or it imports, directly or not, a package that does.
type processWorkers struct {
	Where string // the import path of a package that calls pool.RegisterProcess
}

// AFact marks processWorkers as a fact.
func (*processWorkers) AFact() {}

// String names the fact in -debug=f's log.
func (f *processWorkers) String() string { return "processWorkers(" + f.Where + ")" }

// registersProcess returns the path of a package that pass's package calls
// pool.RegisterProcess in, itself or through its imports, or "". The runtime
// itself does not count: every program that uses it would.
func registersProcess(pass *analysis.Pass) string {
	if pass.TypesInfo == nil || pass.Pkg.Path() == poolPath {
		return "" // a dependency loaded from export data, or the runtime
	}
	for _, obj := range pass.TypesInfo.Uses {
		if fn, ok := obj.(*types.Func); ok && isFunc(fn.Origin(), poolPath, "RegisterProcess") {
			return pass.Pkg.Path()
		}
	}
	byPath := func(a, b *types.Package) int { return strings.Compare(a.Path(), b.Path()) }
	for _, imp := range slices.SortedFunc(slices.Values(pass.Pkg.Imports()), byPath) {
		var f processWorkers
		if pass.ImportPackageFact(imp, &f) {
			return f.Where
		}
	}
	return ""
}

// checkProcessMain reports a func main of package main, or a TestMain, in
// file whose first statement is not pool.ProcessMain(): a pool's child runs
// the same binary, and only ProcessMain stops it from running the program
// (or the tests) again. where is a package that registers process workers.
func checkProcessMain(r *reporter, file *ast.File, where string) {
	for _, d := range file.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv != nil || fn.Body == nil || !isEntry(r.pass, file, fn) {
			continue
		}
		if len(fn.Body.List) > 0 && isProcessMain(r.pass.TypesInfo, fn.Body.List[0]) {
			continue
		}
		what := "this program"
		if fn.Name.Name == "TestMain" {
			what = "this test binary"
		}
		d := analysis.Diagnostic{
			Pos: fn.Name.Pos(),
			Message: fmt.Sprintf("%s must call pool.ProcessMain() as its first statement: %s runs isolate=process workers (pool.RegisterProcess in %s)",
				fn.Name.Name, what, where),
		}
		if edits := processMainEdits(r.pass, file, fn.Body); edits != nil {
			d.SuggestedFixes = []analysis.SuggestedFix{{Message: "Call pool.ProcessMain first", TextEdits: edits}}
		}
		r.report(d)
	}
}

// isEntry reports whether fn is where a binary starts: func main of package
// main, or func TestMain(*testing.M) in a test file.
func isEntry(pass *analysis.Pass, file *ast.File, fn *ast.FuncDecl) bool {
	switch fn.Name.Name {
	case "main":
		return pass.Pkg.Name() == "main"
	case "TestMain":
		obj, _ := pass.TypesInfo.Defs[fn.Name].(*types.Func)
		if obj == nil || !strings.HasSuffix(pass.Fset.File(file.Pos()).Name(), "_test.go") {
			return false
		}
		params := obj.Signature().Params()
		return params.Len() == 1 && isNamed(params.At(0).Type(), "testing", "M")
	}
	return false
}

// isProcessMain reports whether st is a call of pool.ProcessMain.
func isProcessMain(info *types.Info, st ast.Stmt) bool {
	e, ok := st.(*ast.ExprStmt)
	if !ok {
		return false
	}
	call, ok := ast.Unparen(e.X).(*ast.CallExpr)
	return ok && isFunc(typeutil.StaticCallee(info, call), poolPath, "ProcessMain")
}

// processMainEdits returns the edits that make pool.ProcessMain() the first
// statement of body, moving a later call of it among body's statements, or
// nil when file does not import the runtime by a name that reaches body.
func processMainEdits(pass *analysis.Pass, file *ast.File, body *ast.BlockStmt) []analysis.TextEdit {
	call := processMainCall(pass, file, body)
	if call == "" {
		return nil
	}
	// The fix's driver formats the result.
	at, text := body.Rbrace, "\n"+call+"\n"
	if len(body.List) > 0 {
		at, text = body.List[0].Pos(), call+"\n"
	}
	edits := []analysis.TextEdit{{Pos: at, End: at, NewText: []byte(text)}}
	for i, st := range body.List {
		if i > 0 && isProcessMain(pass.TypesInfo, st) {
			edits = append(edits, analysis.TextEdit{Pos: body.List[i-1].End(), End: st.End()})
			break
		}
	}
	return edits
}

// processMainCall returns the call of pool.ProcessMain as code in body
// writes it with file's imports ("pool.ProcessMain()", "p.ProcessMain()",
// "ProcessMain()" for a dot import), or "" when no import of the runtime
// reaches body by its name.
func processMainCall(pass *analysis.Pass, file *ast.File, body *ast.BlockStmt) string {
	scope := pass.Pkg.Scope().Innermost(body.Lbrace)
	for _, spec := range file.Imports {
		pkg := pass.TypesInfo.PkgNameOf(spec)
		if pkg == nil || pkg.Imported().Path() != poolPath {
			continue
		}
		if pkg.Name() == "." {
			_, obj := scope.LookupParent("ProcessMain", body.Lbrace)
			if fn, _ := obj.(*types.Func); isFunc(fn, poolPath, "ProcessMain") {
				return "ProcessMain()"
			}
			continue
		}
		if _, obj := scope.LookupParent(pkg.Name(), body.Lbrace); obj == pkg {
			return pkg.Name() + ".ProcessMain()"
		}
	}
	return ""
}

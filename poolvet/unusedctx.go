package poolvet

import (
	"go/ast"
	"go/token"
	"go/types"
)

// checkUnusedCtx reports a worker that never uses its ctx although its body
// may run long: it loops, waits, or calls code that might.
func checkUnusedCtx(r *reporter, w *worker) {
	if w.ctx == nil || usesObject(r.pass.TypesInfo, w.body, w.ctx) {
		return
	}
	why := mayRunLong(r.pass.Pkg, r.pass.TypesInfo, w.body)
	if why == "" {
		return // it ends on its own soon: nothing to interrupt
	}
	if w.ctx.Name() == "" || w.ctx.Name() == "_" {
		r.reportf(w.ctxField.Pos(), "this worker discards its context.Context, yet it %s: nothing can interrupt it; name the parameter ctx and pass it to what it calls (or check ctx.Err() in its loops)", why)
		return
	}
	r.reportf(w.ctxField.Names[0].Pos(), "%[1]s is never used, yet this worker %[2]s: nothing can interrupt it; pass %[1]s to what it calls (or check %[1]s.Err() in its loops)", w.ctx.Name(), why)
}

// usesObject reports whether an identifier in n refers to obj.
func usesObject(info *types.Info, n ast.Node, obj types.Object) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && info.Uses[id] == obj {
			found = true
		}
		return !found
	})
	return found
}

// mayRunLong says why the code in n, nested func literals included, might not
// end soon on its own — "loops with no counter to bound it" (for { } or for
// cond { }), "waits on a channel", "calls time.Sleep", "calls f, which takes a
// context, without its own" — or returns "" when it has no such sign. Loops
// over data (range, or a for with a post statement) and calls of other
// functions are not signs: they end with their input, and poolvet cannot see
// how long a callee runs.
func mayRunLong(pkg *types.Package, info *types.Info, n ast.Node) string {
	why := ""
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ForStmt:
			if n.Post == nil {
				why = "loops with no counter to bound it"
			}
		case *ast.SelectStmt, *ast.SendStmt:
			why = "waits on a channel"
		case *ast.UnaryExpr:
			if n.Op == token.ARROW {
				why = "waits on a channel"
			}
		case *ast.CallExpr:
			why = callMayRunLong(pkg, info, n)
		}
		return why == ""
	})
	return why
}

// callMayRunLong says why call might not end soon: it is a wait poolvet
// reports, or it passes a context.Context (not the worker's: that one is
// unused) to a callee that could have been interrupted by the worker's ctx.
func callMayRunLong(pkg *types.Package, info *types.Info, call *ast.CallExpr) string {
	fn, kind, _ := classifyCall(pkg, info, call)
	if fn == nil {
		return ""
	}
	if kind != plainCall {
		return "calls " + describe(fn)
	}
	for _, a := range call.Args {
		if isContext(info.TypeOf(a)) {
			return "calls " + describe(fn) + ", which takes a context, without its own"
		}
	}
	return ""
}

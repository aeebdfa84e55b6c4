package poolvet

import (
	"fmt"
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"
)

// dialerTwin is how a fix calls net.Dial's twin.
const dialerTwin = "(&net.Dialer{}).DialContext"

// twinReport reports call, which calls fn, and offers to call twin with the
// worker's ctx first.
func (k *walker) twinReport(call *ast.CallExpr, fn *types.Func, twin string) {
	shownTwin := twin
	if fn.Signature().Recv() == nil && twin != dialerTwin {
		shownTwin = fn.Pkg().Name() + "." + twin
	}
	d := analysis.Diagnostic{
		Pos: call.Pos(),
		Message: k.message(fmt.Sprintf("%[1]s cannot be cancelled and %[2]s cannot stop it: call %[3]s(%[2]s, ...), which takes a ctx",
			describe(fn), k.ctxShown(), shownTwin)),
	}
	name := k.w.ctxName(k.r.pass.Pkg, call) // "" when a fix could not name it
	if edits := twinEdits(call, twin, name); edits != nil {
		d.SuggestedFixes = []analysis.SuggestedFix{{
			Message:   fmt.Sprintf("Call %s with %s", twin, name),
			TextEdits: edits,
		}}
	}
	k.report(d)
}

// twinEdits returns the edits that make call call twin with ctx as its first
// argument, or nil when ctx is "" or the callee is not written as a name or
// a selector.
func twinEdits(call *ast.CallExpr, twin, ctx string) []analysis.TextEdit {
	if ctx == "" {
		return nil
	}
	var rename analysis.TextEdit
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.SelectorExpr:
		rename = analysis.TextEdit{Pos: fun.Sel.Pos(), End: fun.Sel.End(), NewText: []byte(twin)}
		if twin == dialerTwin {
			pkg, ok := fun.X.(*ast.Ident)
			if !ok {
				return nil
			}
			rename = analysis.TextEdit{Pos: fun.Pos(), End: fun.End(), NewText: fmt.Appendf(nil, "(&%s.Dialer{}).DialContext", pkg.Name)}
		}
	case *ast.Ident:
		if twin == dialerTwin {
			twin = "(&Dialer{}).DialContext" // net is dot-imported
		}
		rename = analysis.TextEdit{Pos: fun.Pos(), End: fun.End(), NewText: []byte(twin)}
	default:
		return nil
	}
	arg := ctx + ", "
	if len(call.Args) == 0 {
		arg = ctx
	}
	insert := analysis.TextEdit{Pos: call.Lparen + 1, End: call.Lparen + 1, NewText: []byte(arg)}
	return []analysis.TextEdit{rename, insert}
}

// contextTwin returns the function or method named fn's name plus "Context"
// that takes a context.Context followed by exactly fn's parameters and
// returns what fn returns: the same package's function for a function, a
// method of the same receiver for a method. It must be callable from pkg.
func contextTwin(pkg *types.Package, fn *types.Func) *types.Func {
	if fn.Pkg() == nil {
		return nil
	}
	name := fn.Name() + "Context"
	var obj types.Object
	if recv := fn.Signature().Recv(); recv != nil {
		obj, _, _ = types.LookupFieldOrMethod(recv.Type(), true, fn.Pkg(), name)
	} else {
		obj = fn.Pkg().Scope().Lookup(name)
	}
	twin, ok := obj.(*types.Func)
	if !ok || !twin.Exported() && twin.Pkg() != pkg {
		return nil
	}
	if !isTwinSignature(fn.Signature(), twin.Signature()) {
		return nil
	}
	return twin
}

// isTwinSignature reports whether twin is sig with a leading context.Context.
func isTwinSignature(sig, twin *types.Signature) bool {
	p, q := sig.Params(), twin.Params()
	if q.Len() != p.Len()+1 || !isContext(q.At(0).Type()) || sig.Variadic() != twin.Variadic() {
		return false
	}
	for i := range p.Len() {
		if !types.Identical(p.At(i).Type(), q.At(i+1).Type()) {
			return false
		}
	}
	return types.Identical(sig.Results(), twin.Results())
}

// describe names fn as a reader would: exec.Command, (*sql.DB).Query.
func describe(fn *types.Func) string {
	byName := func(p *types.Package) string { return p.Name() }
	if recv := fn.Signature().Recv(); recv != nil {
		t := types.TypeString(recv.Type(), byName)
		if _, ok := types.Unalias(recv.Type()).(*types.Pointer); ok {
			t = "(" + t + ")"
		}
		return t + "." + fn.Name()
	}
	return fn.Pkg().Name() + "." + fn.Name()
}

package poolvet

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
)

// definedBy returns the variables declared in n as x := e or var x = e where
// is(e) holds, leaving out those assigned or addressed anywhere in n, since
// they may then hold something else.
func definedBy(info *types.Info, n ast.Node, is func(ast.Expr) bool) map[types.Object]bool {
	found := map[types.Object]bool{}
	define := func(names []*ast.Ident, values []ast.Expr) {
		if len(names) != len(values) {
			return
		}
		for i, v := range values {
			if obj := info.Defs[names[i]]; obj != nil && is(ast.Unparen(v)) {
				found[obj] = true
			}
		}
	}
	var changed []types.Object
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				define(idents(n.Lhs), n.Rhs)
			}
			for _, l := range n.Lhs {
				if id, ok := ast.Unparen(l).(*ast.Ident); ok {
					changed = append(changed, info.Uses[id]) // nil for a new name
				}
			}
		case *ast.ValueSpec:
			define(n.Names, n.Values)
		case *ast.UnaryExpr:
			if id, ok := ast.Unparen(n.X).(*ast.Ident); ok && n.Op == token.AND {
				changed = append(changed, info.Uses[id]) // may be written through
			}
		}
		return true
	})
	for _, obj := range changed {
		delete(found, obj)
	}
	return found
}

// idents returns the identifiers of exprs, nil where one is not an identifier.
func idents(exprs []ast.Expr) []*ast.Ident {
	ids := make([]*ast.Ident, len(exprs))
	for i, e := range exprs {
		ids[i], _ = e.(*ast.Ident)
	}
	return ids
}

// isBufferedMake reports whether e is make(chan T, n) with n not the
// constant 0.
func isBufferedMake(info *types.Info, e ast.Expr) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok || len(call.Args) != 2 {
		return false
	}
	if b, ok := info.Uses[identOf(call.Fun)].(*types.Builtin); !ok || b.Name() != "make" {
		return false
	}
	if _, ok := info.TypeOf(call.Args[0]).Underlying().(*types.Chan); !ok {
		return false
	}
	tv := info.Types[call.Args[1]]
	return tv.Value == nil || constant.Sign(tv.Value) > 0
}

// identOf returns e as an identifier, or nil.
func identOf(e ast.Expr) *ast.Ident {
	id, _ := ast.Unparen(e).(*ast.Ident)
	return id
}

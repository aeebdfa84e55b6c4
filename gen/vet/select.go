package vet

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/types/typeutil"
)

// selectStmt checks a select: it must have a case that receives from a
// context's Done channel or a default, or it waits for its other channels
// alone. The channel operations of its cases are then covered; their operands
// and the cases' bodies are walked as usual.
func (k *walker) selectStmt(s *ast.SelectStmt) {
	guarded := false
	for _, c := range s.Body.List {
		cc := c.(*ast.CommClause)
		if cc.Comm == nil || k.isDone(recvChan(cc.Comm)) {
			guarded = true
		}
	}
	if !guarded {
		k.reportf(s.Select, "select without a case <-%[1]s.Done() or a default waits for its channels alone and %[1]s cannot stop it: add case <-%[1]s.Done(): return")
	}
	for _, c := range s.Body.List {
		cc := c.(*ast.CommClause)
		switch comm := cc.Comm.(type) {
		case *ast.SendStmt:
			k.walk(comm.Chan)
			k.walk(comm.Value)
		case *ast.ExprStmt, *ast.AssignStmt:
			k.walk(recvChan(comm))
		}
		for _, st := range cc.Body {
			k.walk(st)
		}
	}
}

// recvChan returns the channel that comm, a select case, receives from, or
// nil when it sends or is the default.
func recvChan(comm ast.Stmt) ast.Expr {
	var e ast.Expr
	switch comm := comm.(type) {
	case *ast.ExprStmt:
		e = comm.X
	case *ast.AssignStmt:
		e = comm.Rhs[0]
	}
	if u, ok := ast.Unparen(e).(*ast.UnaryExpr); ok && u.Op == token.ARROW {
		return u.X
	}
	return nil
}

// isDone reports whether e is a context's Done channel: a call of the Done
// method of a context.Context (or of a type that embeds one), or a local
// variable that holds such a call's result and is never assigned again.
func (k *walker) isDone(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.CallExpr:
		return isDoneCall(k.info, e)
	case *ast.Ident:
		return k.done[k.info.Uses[e]]
	}
	return false
}

// isDoneCall reports whether call calls the Done method of package context.
func isDoneCall(info *types.Info, call *ast.CallExpr) bool {
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	return fn != nil && fn.Name() == "Done" && pkgPath(fn) == "context" && fn.Signature().Recv() != nil
}

// findDoneVars records the locals of body defined as done := ctx.Done() or
// var done = ctx.Done(), and forgets those assigned anything afterwards.
func (k *walker) findDoneVars(body *ast.BlockStmt) {
	define := func(names []ast.Expr, values []ast.Expr) {
		if len(names) != len(values) {
			return
		}
		for i, v := range values {
			call, ok := ast.Unparen(v).(*ast.CallExpr)
			if id, isID := names[i].(*ast.Ident); ok && isID && isDoneCall(k.info, call) {
				if obj := k.info.Defs[id]; obj != nil {
					k.done[obj] = true
				}
			}
		}
	}
	var assigned []types.Object
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				define(n.Lhs, n.Rhs)
				break
			}
			for _, l := range n.Lhs {
				if id, ok := ast.Unparen(l).(*ast.Ident); ok {
					assigned = append(assigned, k.info.Uses[id])
				}
			}
		case *ast.ValueSpec:
			names := make([]ast.Expr, len(n.Names))
			for i, id := range n.Names {
				names[i] = id
			}
			define(names, n.Values)
		case *ast.UnaryExpr:
			if id, ok := ast.Unparen(n.X).(*ast.Ident); ok && n.Op == token.AND {
				assigned = append(assigned, k.info.Uses[id]) // &done may be written through
			}
		}
		return true
	})
	for _, obj := range assigned {
		delete(k.done, obj)
	}
}

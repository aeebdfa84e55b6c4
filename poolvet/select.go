package poolvet

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

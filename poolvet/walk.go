package poolvet

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
)

// A walker visits the code of a worker's body that runs on the worker's own
// goroutine before it returns: the body, func literals called on the spot
// (also with defer), but not func literals stored, passed on or started with
// go, which may run elsewhere or later.
type walker struct {
	r     *reporter
	w     *worker
	info  *types.Info
	done  map[types.Object]bool // locals that hold a ctx.Done() channel
	found int                   // waits found, silenced or not
}

// newWalker returns a walker for w's body.
func newWalker(r *reporter, w *worker) *walker {
	info := r.pass.TypesInfo
	done := definedBy(info, w.body, func(e ast.Expr) bool {
		call, ok := e.(*ast.CallExpr)
		return ok && isDoneCall(info, call)
	})
	return &walker{r: r, w: w, info: info, done: done}
}

// walk checks n and what it contains.
func (k *walker) walk(n ast.Node) {
	ast.Inspect(n, k.visit)
}

// visit checks one node and says whether to look inside it.
func (k *walker) visit(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.FuncLit:
		return false // not called here: it runs later or elsewhere
	case *ast.GoStmt:
		// The function runs on another goroutine; its operands are evaluated here.
		if _, ok := ast.Unparen(n.Call.Fun).(*ast.FuncLit); !ok {
			k.walk(n.Call.Fun)
		}
		k.walkAll(n.Call.Args)
		return false
	case *ast.CallExpr:
		if lit, ok := ast.Unparen(n.Fun).(*ast.FuncLit); ok {
			k.walk(lit.Body) // called on the spot, or deferred to the return
			k.walkAll(n.Args)
			return false
		}
		checkCall(k, n)
	case *ast.SelectStmt:
		k.selectStmt(n)
		return false
	case *ast.SendStmt:
		if k.r.buffered[k.info.Uses[identOf(n.Chan)]] {
			break // a buffer made for the purpose: assumed to have room
		}
		k.reportf(n.Arrow, "channel send outside a select waits until a receiver is ready and %[1]s cannot stop it: send in a select with a case <-%[1]s.Done() (or a default)")
	case *ast.UnaryExpr:
		if n.Op == token.ARROW && !k.isDone(n.X) {
			k.reportf(n.OpPos, "channel receive outside a select waits until a sender is ready and %[1]s cannot stop it: receive in a select with a case <-%[1]s.Done() (or a default)")
		}
	case *ast.RangeStmt:
		if _, ok := k.info.TypeOf(n.X).Underlying().(*types.Chan); ok {
			k.reportf(n.For, "range over a channel waits for each value until the channel is closed and %[1]s cannot stop it: loop over a select with a case <-%[1]s.Done()")
		}
	}
	return true
}

// reportf reports at pos a message whose %[1]s is the worker's ctx, telling a
// nocontext worker where to get one.
func (k *walker) reportf(pos token.Pos, format string) {
	k.report(analysis.Diagnostic{Pos: pos, Message: k.message(fmt.Sprintf(format, k.ctxShown()))})
}

// ctxShown is how messages name the worker's ctx: its name, or "ctx" when
// it has none.
func (k *walker) ctxShown() string {
	if k.w.ctx != nil && k.w.ctx.Name() != "" && k.w.ctx.Name() != "_" {
		return k.w.ctx.Name()
	}
	return "ctx"
}

// message adds to msg what a nocontext worker must do first.
func (k *walker) message(msg string) string {
	if k.w.nocontext {
		msg += " (this nocontext worker must take a context.Context first)"
	}
	return msg
}

// walkAll walks each of exprs.
func (k *walker) walkAll(exprs []ast.Expr) {
	for _, e := range exprs {
		k.walk(e)
	}
}

// report reports d, silenced or not, and counts it.
func (k *walker) report(d analysis.Diagnostic) {
	k.found++
	k.r.report(d)
}

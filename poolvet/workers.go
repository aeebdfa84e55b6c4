package poolvet

import (
	"go/ast"
	"go/types"

	"github.com/poolgen/poolgen/internal/directive"
	"golang.org/x/tools/go/types/typeutil"
)

// poolPath is the import path of the runtime, by which its functions are
// recognised: a package of another path named pool is not the runtime.
const poolPath = "github.com/poolgen/poolgen/runtime/pool"

// runners are the runtime's functions that run a func on a pool.
var runners = map[string]bool{"Submit": true, "Map": true, "Stream": true}

// findWorkers returns the workers of file in source order: functions with a
// //poolgen:worker directive, and func literals passed as the fn argument of
// pool.Submit, pool.Map or pool.Stream, wherever the call is.
func findWorkers(info *types.Info, file *ast.File) []*worker {
	var workers []*worker
	ast.Inspect(file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			if opts, ok := directive.Of(n); ok && n.Body != nil {
				w := &worker{body: n.Body, nocontext: opts.NoContext}
				if !opts.NoContext {
					w.ctx, w.ctxField = ctxParam(info, n.Type)
				}
				workers = append(workers, w)
			}
		case *ast.CallExpr:
			if lit := runnerFunc(info, n); lit != nil {
				w := &worker{body: lit.Body}
				w.ctx, w.ctxField = ctxParam(info, lit.Type)
				workers = append(workers, w)
			}
		}
		return true
	})
	return workers
}

// runnerFunc returns the func literal that call, a call of pool.Submit,
// pool.Map or pool.Stream, passes as its fn parameter, or nil.
func runnerFunc(info *types.Info, call *ast.CallExpr) *ast.FuncLit {
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	if pkgPath(fn) != poolPath || !runners[fn.Name()] || fn.Signature().Recv() != nil {
		return nil
	}
	params := fn.Signature().Params()
	for i := range min(params.Len(), len(call.Args)) {
		if params.At(i).Name() == "fn" {
			lit, _ := ast.Unparen(call.Args[i]).(*ast.FuncLit)
			return lit
		}
	}
	return nil
}

// ctxParam returns the first parameter of ft and its field when it is a
// context.Context, as poolgen and the runtime require of a worker's ctx.
func ctxParam(info *types.Info, ft *ast.FuncType) (*types.Var, *ast.Field) {
	if ft.Params == nil || len(ft.Params.List) == 0 {
		return nil, nil
	}
	field := ft.Params.List[0]
	if !isContext(info.TypeOf(field.Type)) {
		return nil, nil
	}
	if len(field.Names) == 0 {
		// An unnamed ctx: a placeholder so the unused rule still sees it.
		return types.NewParam(field.Pos(), nil, "", info.TypeOf(field.Type)), field
	}
	v, _ := info.Defs[field.Names[0]].(*types.Var)
	return v, field
}

package gen

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// checkValid reports an input or result of the worker fn whose type t did not
// type-check. Load errors come first, so the cause is a name poolgen generates:
// it is missing while loading, which hides poolgen's output (G taking FResult).
func (b *builder) checkValid(fn *ast.FuncDecl, what, name string, t types.Type, pos token.Pos) {
	if !hasInvalid(t, map[types.Type]bool{}) {
		return
	}
	text, missing := "a type", ""
	if expr := typeExprAt(fn, pos); expr != nil {
		text, missing = types.ExprString(expr), b.undefinedIn(expr)
	}
	subject := what + " " + name
	if name == "" {
		subject = "an unnamed " + what
	}
	generates := ", which poolgen generates"
	if missing != "" && missing != text {
		generates = ", and poolgen generates " + missing
	}
	if strings.Contains(missing, ".") {
		// Generated for another package of this run, which the type check
		// saw without its output; from export data it would be there.
		b.errs.errorf(b.fset.Position(pos), "%s has type %s%s for another package of this run: run poolgen on that package first, then on this one alone", subject, text, generates)
		return
	}
	b.errs.errorf(b.fset.Position(pos), "%s has type %s%s: a worker's signature cannot use what only the generated code declares; declare the type yourself", subject, text, generates)
}

// undefinedIn returns the first name in expr that the type checker could not
// resolve, as written (FResult, a.ScaleArgs), or "".
func (b *builder) undefinedIn(expr ast.Expr) string {
	missing := ""
	ast.Inspect(expr, func(n ast.Node) bool {
		if missing != "" {
			return false
		}
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if b.info.Uses[n.Sel] == nil {
				missing = types.ExprString(n)
			}
			return false
		case *ast.Ident:
			if b.info.Uses[n] == nil && b.info.Defs[n] == nil {
				missing = n.Name
			}
		}
		return true
	})
	return missing
}

// hasInvalid reports whether t is or contains the invalid type.
func hasInvalid(t types.Type, seen map[types.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t := t.(type) {
	case *types.Basic:
		return t.Kind() == types.Invalid
	case *types.Alias:
		return hasInvalid(types.Unalias(t), seen)
	case *types.Named:
		for i := range t.TypeArgs().Len() {
			if hasInvalid(t.TypeArgs().At(i), seen) {
				return true
			}
		}
	case *types.Pointer:
		return hasInvalid(t.Elem(), seen)
	case *types.Slice:
		return hasInvalid(t.Elem(), seen)
	case *types.Array:
		return hasInvalid(t.Elem(), seen)
	case *types.Chan:
		return hasInvalid(t.Elem(), seen)
	case *types.Map:
		return hasInvalid(t.Key(), seen) || hasInvalid(t.Elem(), seen)
	case *types.Struct:
		for i := range t.NumFields() {
			if hasInvalid(t.Field(i).Type(), seen) {
				return true
			}
		}
	case *types.Signature:
		return hasInvalid(t.Params(), seen) || hasInvalid(t.Results(), seen)
	case *types.Tuple:
		for i := range t.Len() {
			if hasInvalid(t.At(i).Type(), seen) {
				return true
			}
		}
	}
	return false
}

// typeExprAt returns the type expression, in fn's receiver, parameters or
// results, of the field named at pos, or of the unnamed field at pos.
func typeExprAt(fn *ast.FuncDecl, pos token.Pos) ast.Expr {
	lists := []*ast.FieldList{fn.Recv, fn.Type.Params, fn.Type.Results}
	for _, l := range lists {
		if l == nil {
			continue
		}
		for _, f := range l.List {
			if f.Type.Pos() == pos {
				return f.Type
			}
			for _, n := range f.Names {
				if n.Pos() == pos {
					return f.Type
				}
			}
		}
	}
	return nil
}

package gen

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/poolgen/poolgen/internal/directive"
)

// A work is a Worker being built, with what naming it still needs.
type work struct {
	Worker
	pos      token.Position  // of the function's name
	decl     *ast.FuncDecl   // the function's declaration
	base     string          // what replaces <Name> in generated names
	exported bool            // whether generated names are exported
	paths    []string        // import paths its types refer to, in first-use order
	idents   map[string]bool // identifiers in its types, which wrappers must not shadow
}

// worker checks the function d annotates and describes it, reporting what is wrong.
func (b *builder) worker(d directive.Directive) (*work, bool) {
	obj, _ := b.info.Defs[d.Func.Name].(*types.Func)
	if obj == nil {
		return nil, false
	}
	sig := obj.Type().(*types.Signature)
	w := &work{pos: b.fset.Position(d.Func.Name.Pos()), decl: d.Func, idents: map[string]bool{}}
	w.Func, w.Title, w.base = obj.Name(), obj.Name(), obj.Name()
	w.exported = obj.Exported()
	if sig.Recv() == nil && w.Func == "init" || w.Func == "_" {
		b.errs.errorf(w.pos, "%s cannot be a worker: it cannot be called", w.Func)
		return nil, false
	}
	n := len(b.errs)
	w.TypeParams = b.typeParams(w, sig)
	if recv := sig.Recv(); recv != nil {
		typeName := recvTypeName(recv.Type())
		w.Title = typeName + "." + w.Func
		w.base = typeName + upperFirst(w.Func)
		w.exported = w.exported && token.IsExported(typeName)
		b.checkValid(w.decl, "receiver", recv.Name(), recv.Type(), recv.Pos())
		w.Recv = &Param{Name: recv.Name(), Field: "Recv", Type: b.typ(w, recv.Type())}
	}
	if w.Init = b.initRecv(w, sig, d.Opts); w.Init != nil {
		w.Recv = nil // each pool worker builds its own
	}
	if d.Opts.Name != "" {
		w.base = d.Opts.Name
		if w.exported && !token.IsExported(upperFirst(w.base)) {
			b.errs.errorf(d.Opts.At["name"], "option name=%s: %s is exported, so its generated names must be too, which needs a name whose first letter has an upper case, as in name=Thumb", w.base, w.Title)
		}
	}
	w.Timeout = d.Opts.Timeout
	first := b.context(w, sig, d.Opts)
	w.Params = b.params(w, sig, first)
	w.Results, w.Error = b.results(w, sig)
	if d.Opts.Process {
		w.Process = b.pkg.Path() + "." + w.Title
		b.checkProcess(w, sig, d.Opts)
	}
	return w, len(b.errs) == n
}

// context checks the worker's leading context.Context against its options and
// returns the index of the first parameter after it.
func (b *builder) context(w *work, sig *types.Signature, opts directive.Options) int {
	params := sig.Params()
	hasCtx := params.Len() > 0 && isContext(params.At(0).Type())
	switch {
	case opts.NoContext && hasCtx:
		b.errs.errorf(opts.At["nocontext"], "option nocontext, but %s takes a context.Context first", w.Title)
	case opts.NoContext && opts.Timeout > 0:
		b.errs.errorf(opts.At["timeout"], "option timeout= needs a context.Context parameter to carry the deadline; it cannot go with nocontext")
	case opts.NoContext:
		return 0
	case hasCtx:
		w.Context = true
		return 1
	default:
		for i := range params.Len() {
			if isContext(params.At(i).Type()) {
				b.errs.errorf(b.fset.Position(params.At(i).Pos()), "context.Context must be the first parameter of %s", w.Title)
				return 0
			}
		}
		b.errs.errorf(w.pos, "%s must take a context.Context as its first parameter (or use //poolgen:worker nocontext)", w.Title)
	}
	return 0
}

// params describes the parameters from index first on, and checks that their
// fields in the Args struct are distinct.
func (b *builder) params(w *work, sig *types.Signature, first int) []Param {
	fields := map[string]string{}
	if w.Recv != nil {
		fields["Recv"] = "receiver"
	}
	var list []Param
	for i := first; i < sig.Params().Len(); i++ {
		v := sig.Params().At(i)
		b.checkValid(w.decl, "parameter", v.Name(), v.Type(), v.Pos())
		p := Param{Name: v.Name(), Field: fieldName(v.Name(), "Arg", i-first), Type: b.typ(w, v.Type())}
		if sig.Variadic() && i == sig.Params().Len()-1 {
			p.Variadic = true
			p.Type = b.typ(w, v.Type().(*types.Slice).Elem())
		}
		b.checkField(fields, p.Field, "parameter "+p.Name, "Args", v.Pos())
		list = append(list, p)
	}
	return list
}

// results describes the results except a final error, and says whether there is one.
func (b *builder) results(w *work, sig *types.Signature) ([]Param, bool) {
	res := sig.Results()
	n := res.Len()
	hasErr := n > 0 && isError(res.At(n-1).Type())
	if hasErr {
		n--
	}
	fields := map[string]string{}
	var list []Param
	for i := range n {
		v := res.At(i)
		if isError(v.Type()) {
			b.errs.errorf(b.fset.Position(v.Pos()), "%s returns an error before its last result: only a final error fails a call, this one would be returned as a value; put the error last, as in (T, error)", w.Title)
		}
		b.checkValid(w.decl, "result", v.Name(), v.Type(), v.Pos())
		p := Param{Name: v.Name(), Field: fieldName(v.Name(), "R", i), Type: b.typ(w, v.Type())}
		b.checkField(fields, p.Field, "result "+p.Name, "Result", v.Pos())
		list = append(list, p)
	}
	return list, hasErr
}

// checkField reports a field name that two parameters or results share.
func (b *builder) checkField(fields map[string]string, field, what, strct string, pos token.Pos) {
	if prev, ok := fields[field]; ok {
		b.errs.errorf(b.fset.Position(pos), "%s and %s both become the field %s of the %s struct", prev, what, field, strct)
		return
	}
	fields[field] = what
}

// typeParams describes the type parameters of a function, or of a method's receiver.
func (b *builder) typeParams(w *work, sig *types.Signature) []TypeParam {
	tps := sig.TypeParams()
	if sig.Recv() != nil {
		tps = sig.RecvTypeParams()
	}
	var list []TypeParam
	for i := range tps.Len() {
		tp := tps.At(i)
		list = append(list, TypeParam{Name: tp.Obj().Name(), Constraint: b.typ(w, tp.Constraint())})
	}
	return list
}

// isError reports whether t is the type error.
func isError(t types.Type) bool {
	return types.Identical(t, types.Universe.Lookup("error").Type())
}

// isContext reports whether t is context.Context.
func isContext(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && n.Obj().Name() == "Context"
}

// recvTypeName is the name of a receiver's base type.
func recvTypeName(t types.Type) string {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := types.Unalias(t).(*types.Named); ok {
		return n.Obj().Name()
	}
	return types.TypeString(t, nil)
}

// fieldName is the struct field for a parameter or result: its name
// capitalized, with Go's initialisms (url gives URL, userId UserID), or prefix
// and its index when it has no name or when capitalizing does not export it
// (_a, 日本): an unexported field would not cross gob nor be usable from other
// packages.
func fieldName(name, prefix string, i int) string {
	if field := exportedName(name); token.IsExported(field) {
		return field
	}
	return prefix + strconv.Itoa(i)
}

// upperFirst returns s with its first letter in upper case.
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// relPos formats a position for a message about another position in the same
// package: file base name, line and column.
func relPos(p token.Position) string {
	return fmt.Sprintf("%s:%d:%d", baseName(p.Filename), p.Line, p.Column)
}

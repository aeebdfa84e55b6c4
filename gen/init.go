package gen

import (
	"go/token"
	"go/types"
	"strings"

	"github.com/poolgen/poolgen/internal/directive"
)

// initRecv checks the option init=F of w, a worker with signature sig: w must
// be a method of *T, T not generic, taking a ctx, and F a function of w's
// package of type func(context.Context) (*T, error). The receiver then is no
// input of the calls: each pool worker builds its own with F, on first use.
// initRecv returns nil without init=, or when something is wrong.
func (b *builder) initRecv(w *work, sig *types.Signature, opts directive.Options) *Init {
	if opts.Init == "" {
		return nil
	}
	at, fn := opts.At["init"], opts.Init
	recv := sig.Recv()
	if recv == nil {
		b.errs.errorf(at, "option init=%s: %s is not a method: init= builds the receiver of a method, once per pool worker", fn, w.Title)
		return nil
	}
	ptr, isPtr := types.Unalias(recv.Type()).(*types.Pointer)
	switch {
	case opts.NoContext:
		b.errs.errorf(at, "option init=%s cannot go with nocontext: %s gets its receiver through the ctx of its task, so it must take a context.Context first", fn, w.Title)
		return nil
	case !isPtr:
		b.errs.errorf(at, "option init=%s: %s has a value receiver; init= needs a method of *%s, whose value each pool worker builds once and keeps", fn, w.Title, recvTypeName(recv.Type()))
		return nil
	case len(w.TypeParams) > 0:
		b.errs.errorf(at, "option init=%s: %s is a method of a generic type, but each pool worker keeps one receiver, of one type: init= needs a type without type parameters", fn, w.Title)
		return nil
	}
	qual := types.RelativeTo(b.pkg)
	recvType := types.TypeString(recv.Type(), qual)
	want := "func(ctx context.Context) (" + recvType + ", error)"
	obj := b.pkg.Scope().Lookup(fn)
	initFn, ok := obj.(*types.Func)
	switch {
	case obj == nil:
		b.errs.errorf(at, "option init=%s: package %s declares no %s; declare func %s%s to build the receiver of %s", fn, b.pkg.Name(), fn, fn, want[len("func"):], w.Title)
		return nil
	case !ok:
		b.errs.errorf(at, "option init=%s: %s, declared at %s, is not a function; want func %s%s", fn, fn, relPos(b.fset.Position(obj.Pos())), fn, want[len("func"):])
		return nil
	case !buildsRecv(initFn.Signature(), ptr):
		b.errs.errorf(at, "option init=%s: %s, declared at %s, must be %s to build the receiver of %s; it is %s",
			fn, fn, relPos(b.fset.Position(obj.Pos())), want, w.Title, types.TypeString(initFn.Type(), qual))
		return nil
	}
	return &Init{Func: fn, Recv: recv.Name(), Type: recvType}
}

// buildsRecv reports whether sig is func(context.Context) (recv, error).
func buildsRecv(sig *types.Signature, recv types.Type) bool {
	params, res := sig.Params(), sig.Results()
	return sig.TypeParams().Len() == 0 && !sig.Variadic() &&
		params.Len() == 1 && isContext(params.At(0).Type()) &&
		res.Len() == 2 && types.Identical(res.At(0).Type(), recv) && isError(res.At(1).Type())
}

// nameLocals names the package-level var of each pool.Local that works need,
// one for each init function, after the receiver type (clientLocal), against
// every name in taken, which it adds them to.
func nameLocals(works []*work, taken namer) []Local {
	var locals []Local
	byFunc := map[string]int{} // the init function fixes the type
	for _, w := range works {
		in := w.Init
		if in == nil {
			continue
		}
		i, ok := byFunc[in.Func]
		if !ok {
			i = len(locals)
			byFunc[in.Func] = i
			name := taken.fresh(unexportedName(strings.TrimPrefix(in.Type, "*")) + "Local")
			locals = append(locals, Local{Name: name, Func: in.Func, Type: in.Type})
		}
		in.Local = locals[i].Name
		locals[i].Users = append(locals[i].Users, w.Title)
	}
	return locals
}

// topTaken returns every package-level name in scope in the generated file:
// the package's, its files' import names, the names generated for works and
// the file's own import names.
func (b *builder) topTaken(works []*work, declared, imported map[string]token.Position) namer {
	taken := reserved().with(mapKeys(declared)...).with(mapKeys(imported)...)
	for _, w := range works {
		for _, n := range generated(w) {
			taken[n] = true
		}
	}
	for _, n := range b.names {
		taken[n] = true
	}
	return taken
}

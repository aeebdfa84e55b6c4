package gen

import (
	"go/token"
	"go/types"

	"github.com/poolgen/poolgen/internal/directive"
)

// checkProcess checks that a worker with isolate=process can run in a child
// process: the child looks it up by a name that must fix its types, and its
// inputs and results cross the process boundary with encoding/gob.
func (b *builder) checkProcess(w *work, sig *types.Signature, opts directive.Options) {
	if len(w.TypeParams) > 0 {
		b.errs.errorf(opts.At["isolate"], "option isolate=process: %s is generic, but a child process finds a worker by a name, which cannot carry type arguments", w.Title)
	}
	if recv := sig.Recv(); recv != nil && w.Recv != nil { // not with init=: built in the child
		b.checkGob("receiver", w.Recv.Name, recv.Type(), recv.Pos())
	}
	first := 0
	if w.Context {
		first = 1
	}
	for i := first; i < sig.Params().Len(); i++ {
		v := sig.Params().At(i)
		name := v.Name()
		if name == "" || name == "_" {
			name = w.Params[i-first].Field
		}
		b.checkGob("parameter", name, v.Type(), v.Pos())
	}
	for i, r := range w.Results {
		v := sig.Results().At(i)
		name := v.Name()
		if name == "" || name == "_" {
			name = r.Field
		}
		b.checkGob("result", name, v.Type(), v.Pos())
	}
}

// checkGob reports what in t, the type of the input or result name, encoding/gob
// cannot carry.
func (b *builder) checkGob(what, name string, t types.Type, pos token.Pos) {
	g := gobCheck{qual: types.RelativeTo(b.pkg), seen: map[*types.Named]bool{}}
	if problem := g.problem(t, name, ""); problem != "" {
		b.errs.errorf(b.fset.Position(pos), "isolate=process: %s %s cannot cross the process boundary: %s", what, name, problem)
	}
}

// A gobCheck walks a type for what encoding/gob would refuse or drop.
type gobCheck struct {
	qual types.Qualifier
	seen map[*types.Named]bool // named types walked already: recursive types end
}

// problem describes the first part of t, found at path, that encoding/gob
// cannot carry, or returns "". owner is the named type whose fields t's are,
// when t is a struct: Job in Job.weight; "" for an unnamed struct, whose fields
// are named by path. Interfaces pass: gob encodes their dynamic values once
// registered with gob.Register.
func (g gobCheck) problem(t types.Type, path, owner string) string {
	if n, ok := types.Unalias(t).(*types.Named); ok {
		if g.seen[n] || encodesItself(n) {
			return ""
		}
		g.seen[n] = true
		owner = types.TypeString(n, g.qual)
	}
	switch u := t.Underlying().(type) {
	case *types.Chan:
		return path + " is a channel, which encoding/gob cannot encode"
	case *types.Signature:
		return path + " is a func, which encoding/gob cannot encode"
	case *types.Basic:
		if u.Kind() == types.UnsafePointer {
			return path + " is an unsafe.Pointer, which encoding/gob cannot encode"
		}
	case *types.Pointer:
		return g.problem(u.Elem(), path, "")
	case *types.Slice:
		return g.problem(u.Elem(), path+"[i]", "")
	case *types.Array:
		return g.problem(u.Elem(), path+"[i]", "")
	case *types.Map:
		if p := g.problem(u.Key(), path+" key", ""); p != "" {
			return p
		}
		return g.problem(u.Elem(), path+"[k]", "")
	case *types.Struct:
		return g.fields(u, path, owner)
	}
	return ""
}

// fields is problem for the fields of the struct s.
func (g gobCheck) fields(s *types.Struct, path, owner string) string {
	if owner == "" {
		owner = path
	}
	for i := range s.NumFields() {
		f := s.Field(i)
		if f.Name() == "_" {
			continue // padding: there is nothing to carry
		}
		if !f.Exported() {
			return owner + "." + f.Name() + " is unexported: gob would drop it; export it or implement GobEncoder"
		}
		if p := g.problem(f.Type(), path+"."+f.Name(), ""); p != "" {
			return p
		}
	}
	return ""
}

// encodesItself reports whether n, or a pointer to it, implements
// gob.GobEncoder or encoding.BinaryMarshaler, which gob uses instead of
// looking inside (not encoding.TextMarshaler: gob ignores it).
func encodesItself(n *types.Named) bool {
	for _, m := range []string{"GobEncode", "MarshalBinary"} {
		obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(n), true, n.Obj().Pkg(), m)
		if fn, ok := obj.(*types.Func); ok && returnsBytes(fn.Signature()) {
			return true
		}
	}
	return false
}

// returnsBytes reports whether sig is func() ([]byte, error), the signature of
// every method in encodesItself.
func returnsBytes(sig *types.Signature) bool {
	res := sig.Results()
	if sig.Params().Len() != 0 || res.Len() != 2 {
		return false
	}
	b, ok := res.At(0).Type().Underlying().(*types.Slice)
	if !ok || !types.Identical(b.Elem(), types.Typ[types.Byte]) {
		return false
	}
	return types.Identical(res.At(1).Type(), types.Universe.Lookup("error").Type())
}

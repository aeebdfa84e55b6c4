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
	if recv := sig.Recv(); recv != nil {
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
// cannot encode.
func (b *builder) checkGob(what, name string, t types.Type, pos token.Pos) {
	if problem := gobProblem(t, name, map[*types.Named]bool{}); problem != "" {
		b.errs.errorf(b.fset.Position(pos), "isolate=process: %s %s cannot cross the process boundary: %s, which encoding/gob cannot encode", what, name, problem)
	}
}

// gobProblem describes the first part of t, found at path, that encoding/gob
// cannot encode, or returns "". Interfaces pass: gob encodes their dynamic
// values once registered with gob.Register.
func gobProblem(t types.Type, path string, seen map[*types.Named]bool) string {
	if n, ok := types.Unalias(t).(*types.Named); ok {
		if seen[n] || encodesItself(n) {
			return ""
		}
		seen[n] = true
	}
	switch u := t.Underlying().(type) {
	case *types.Chan:
		return path + " is a channel"
	case *types.Signature:
		return path + " is a func"
	case *types.Basic:
		if u.Kind() == types.UnsafePointer {
			return path + " is an unsafe.Pointer"
		}
	case *types.Pointer:
		return gobProblem(u.Elem(), path, seen)
	case *types.Slice:
		return gobProblem(u.Elem(), path+"[i]", seen)
	case *types.Array:
		return gobProblem(u.Elem(), path+"[i]", seen)
	case *types.Map:
		if p := gobProblem(u.Key(), path+" key", seen); p != "" {
			return p
		}
		return gobProblem(u.Elem(), path+"[k]", seen)
	case *types.Struct:
		exported := 0
		for i := range u.NumFields() {
			f := u.Field(i)
			if !f.Exported() {
				continue
			}
			exported++
			if p := gobProblem(f.Type(), path+"."+f.Name(), seen); p != "" {
				return p
			}
		}
		if exported == 0 && u.NumFields() > 0 {
			return path + " is a struct with no exported fields"
		}
	}
	return ""
}

// encodesItself reports whether n, or a pointer to it, has a GobEncode or
// MarshalBinary method, which gob uses instead of looking inside.
func encodesItself(n *types.Named) bool {
	for _, m := range []string{"GobEncode", "MarshalBinary"} {
		obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(n), true, n.Obj().Pkg(), m)
		if _, ok := obj.(*types.Func); ok {
			return true
		}
	}
	return false
}

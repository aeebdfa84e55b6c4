package templates

import (
	"github.com/dave/jennifer/jen"
	"github.com/poolgen/poolgen/gen"
)

// ctxParam is the closure's ctx parameter: unnamed when the worker takes no ctx.
func (r *renderer) ctxParam() *jen.Statement {
	if !r.w.Context && r.w.Process == "" {
		return jen.Id("_").Qual(gen.ContextPath, "Context")
	}
	return jen.Id(r.w.Names.Ctx).Qual(gen.ContextPath, "Context")
}

// submitCall is the worker's call in Submit: with the wrapper's own parameters.
func (r *renderer) submitCall() *jen.Statement {
	var recv *jen.Statement
	if r.w.Recv != nil {
		recv = jen.Id(r.w.Recv.Name)
	}
	var args []jen.Code
	for _, p := range r.w.Params {
		args = append(args, spread(jen.Id(p.Name), p))
	}
	return r.call(recv, args)
}

// itemCall is the worker's call in Map and Stream: with the fields of one element.
func (r *renderer) itemCall() *jen.Statement {
	w, item := r.w, r.w.Names.Item
	if w.Names.Args == "" { // the element is the only input, or there is none
		if w.Recv != nil {
			return r.call(jen.Id(item), nil)
		}
		if len(w.Params) == 1 {
			return r.call(nil, []jen.Code{spread(jen.Id(item), w.Params[0])})
		}
		return r.call(nil, nil)
	}
	var recv *jen.Statement
	if w.Recv != nil {
		recv = jen.Id(item).Dot(w.Recv.Field)
	}
	var args []jen.Code
	for _, p := range w.Params {
		args = append(args, spread(jen.Id(item).Dot(p.Field), p))
	}
	return r.call(recv, args)
}

// call is the worker called on recv (nil for a function) with ctx and args.
func (r *renderer) call(recv *jen.Statement, args []jen.Code) *jen.Statement {
	if r.w.Context {
		args = append([]jen.Code{jen.Id(r.w.Names.Ctx)}, args...)
	}
	if recv == nil && r.w.Init != nil {
		recv = jen.Id(r.w.Init.Recv)
	}
	/* recv.Fetch(ctx, url) or Resize[T](ctx, img, width) */
	if recv != nil {
		return recv.Dot(r.w.Func).Call(args...)
	}
	return jen.Id(r.w.Func).Add(r.inst()).Call(args...)
}

// spread passes a variadic parameter's slice on with "...".
func spread(arg *jen.Statement, p gen.Param) *jen.Statement {
	if p.Variadic {
		return arg.Op("...")
	}
	return arg
}

// callBody is the statements of a closure that makes call, the worker's
// call, and returns (out, error): with init=, after getting the receiver.
func (r *renderer) callBody(call *jen.Statement) []jen.Code {
	return append(r.getRecv(), r.returnCall(call)...)
}

// returnCall is the statements that make call, the worker's call, return (out, error).
func (r *renderer) returnCall(call *jen.Statement) []jen.Code {
	w, n := r.w, &r.w.Names
	switch {
	case len(w.Results) > 1:
		/* r0, r1, err := call; return ResizeResult{R0: r0, R1: r1}, err */
		vars, values := []jen.Code{}, []jen.Code{}
		for i, res := range w.Results {
			vars = append(vars, jen.Id(n.Vars[i]))
			values = append(values, jen.Id(res.Field).Op(":").Id(n.Vars[i]))
		}
		errValue := jen.Nil()
		if w.Error {
			vars, errValue = append(vars, jen.Id(n.Err)), jen.Id(n.Err)
		}
		return []jen.Code{
			jen.List(vars...).Op(":=").Add(call),
			jen.Return(jen.Id(n.Result).Add(r.inst()).Values(values...), errValue),
		}
	case len(w.Results) == 1 && w.Error:
		return []jen.Code{jen.Return(call)} /* return call */
	case len(w.Results) == 1:
		return []jen.Code{jen.Return(call, jen.Nil())} /* return call, nil */
	case w.Error:
		return []jen.Code{jen.Return(jen.Struct().Values(), call)} /* return struct{}{}, call */
	}
	return []jen.Code{call, jen.Return(jen.Struct().Values(), jen.Nil())} /* call; return struct{}{}, nil */
}

// out is the type a call yields: its one result, its Result struct, or struct{}.
func (r *renderer) out() *jen.Statement {
	switch len(r.w.Results) {
	case 0:
		return jen.Struct()
	case 1:
		return typ(r.w.Results[0].Type)
	}
	return jen.Id(r.w.Names.Result).Add(r.inst())
}

// elem is the element type of Map and Stream: the Args struct, the one input's
// type (a slice for a variadic parameter), or struct{}.
func (r *renderer) elem() *jen.Statement {
	inputs := r.w.Inputs()
	switch len(inputs) {
	case 0:
		return jen.Struct()
	case 1:
		if inputs[0].Variadic {
			return jen.Index().Add(typ(inputs[0].Type))
		}
		return typ(inputs[0].Type)
	}
	return jen.Id(r.w.Names.Args).Add(r.inst())
}

// typeParams declares the worker's type parameters, if any: [T ~int | ~float64].
func (r *renderer) typeParams() *jen.Statement {
	if len(r.w.TypeParams) == 0 {
		return jen.Null()
	}
	var list []jen.Code
	for _, tp := range r.w.TypeParams {
		list = append(list, jen.Id(tp.Name).Add(typ(tp.Constraint)))
	}
	return jen.Types(list...)
}

// inst instantiates a generic name with the worker's type parameters: [T].
func (r *renderer) inst() *jen.Statement {
	if len(r.w.TypeParams) == 0 {
		return jen.Null()
	}
	var list []jen.Code
	for _, tp := range r.w.TypeParams {
		list = append(list, jen.Id(tp.Name))
	}
	return jen.Types(list...)
}

// typ renders a model type, qualified names through the file's imports.
func typ(t gen.Type) *jen.Statement {
	s := jen.Null()
	for _, p := range t {
		if p.Path == "" {
			s.Id(p.Text)
		} else {
			s.Qual(p.Path, p.Name)
		}
	}
	return s
}

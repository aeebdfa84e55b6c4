package templates

import (
	"fmt"

	"github.com/dave/jennifer/jen"
	"github.com/poolgen/poolgen/gen"
)

// registration emits the var that registers an isolate=process worker with
// the runtime under its stable name, so that a child process, the same
// binary, finds the worker by that name and decodes its argument.
func (r *renderer) registration(f *jen.File) {
	w, n := r.w, &r.w.Names
	f.Comment(doc("%s runs %s in a child process of a pool, for %s, %s and %s; see [%s.RegisterProcess].",
		n.Proc, w.Title, n.Submit, n.Map, n.Stream, r.pool))
	item := jen.Id(n.Item)
	if len(w.Inputs()) == 0 {
		item = jen.Id("_")
	}
	ctx := jen.Id(n.Ctx).Qual(gen.ContextPath, "Context")
	if !w.Context {
		ctx = jen.Id("_").Qual(gen.ContextPath, "Context")
	}
	/*
		var resizeProcess = pool.RegisterProcess("example.com/img.Resize", func(ctx context.Context, arg ResizeArgs) (Image, error) {
			return Resize(ctx, arg.Img, arg.Width)
		})
	*/
	f.Var().Id(n.Proc).Op("=").Qual(gen.RuntimePath, "RegisterProcess").Call(jen.Lit(w.Process),
		jen.Func().Params(ctx, item.Add(r.elem())).Params(r.out(), jen.Error()).Block(r.callBody(r.itemCall())...),
	)
}

// processBody is a wrapper's closure body for an isolate=process worker: the
// call with arg runs in a child process.
func (r *renderer) processBody(arg jen.Code) []jen.Code {
	n := &r.w.Names
	/* return resizeProcess.Call(ctx, p, arg) */
	return []jen.Code{jen.Return(jen.Id(n.Proc).Dot("Call").Call(jen.Id(n.Ctx), jen.Id(n.Pool), arg))}
}

// pipelined reports whether the Map and Stream wrappers call the worker's
// ProcessFunc.Map and ProcessFunc.Stream, which keep several calls queued in
// each child process: isolate=process workers without a timeout (a timeout
// runs in the parent, one call at a time, through pool.Map and pool.Stream).
func (r *renderer) pipelined() bool { return r.w.Process != "" && r.w.Timeout == 0 }

// processMapCall is the call of the worker's ProcessFunc.Map or .Stream (fn).
func (r *renderer) processMapCall(fn string) *jen.Statement {
	n := &r.w.Names
	/* resizeProcess.Map(ctx, p, args, opts...) */
	return jen.Id(n.Proc).Dot(fn).Call(jen.Id(n.Ctx), jen.Id(n.Pool), jen.Id(n.In), jen.Id(n.Opts).Op("..."))
}

// submitArg is the element built from Submit's parameters: the Args struct,
// the one input, or struct{}{}.
func (r *renderer) submitArg() jen.Code {
	inputs := r.w.Inputs()
	switch {
	case len(inputs) == 0:
		return jen.Struct().Values()
	case r.w.Names.Args == "":
		return jen.Id(inputs[0].Name)
	}
	var values []jen.Code
	for _, p := range inputs {
		values = append(values, jen.Id(p.Field).Op(":").Id(p.Name))
	}
	/* ResizeArgs{Img: img, Width: width} */
	return jen.Id(r.w.Names.Args).Values(values...)
}

// itemArg is the element of Map and Stream, passed on.
func (r *renderer) itemArg() jen.Code {
	if len(r.w.Inputs()) == 0 {
		return jen.Struct().Values()
	}
	return jen.Id(r.w.Names.Item)
}

// processOptions says what isolate=process and the other options change, for
// the wrappers' docs.
func (r *renderer) processOptions() string {
	s := fmt.Sprintf(" Each call runs in a child process (isolate=process): the program's main must call %s.ProcessMain first.", r.pool)
	s += r.initOptions("child process")
	if r.w.Timeout > 0 {
		s += fmt.Sprintf(" Each call runs under a %v timeout.", r.w.Timeout)
	}
	return s
}

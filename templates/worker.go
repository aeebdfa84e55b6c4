package templates

import (
	"fmt"

	"github.com/dave/jennifer/jen"
	"github.com/poolgen/poolgen/gen"
)

// A renderer emits the declarations generated for one worker.
type renderer struct {
	w    *gen.Worker
	pool string // the runtime's import name, for doc links
}

// render emits the Args and Result structs and the three wrappers.
func (r *renderer) render(f *jen.File) {
	w, n := r.w, &r.w.Names
	if n.Args != "" {
		f.Comment(doc("%s holds the %s of one %s call, for %s and %s.", n.Args, r.inputsNoun(), w.Title, n.Map, n.Stream))
		/* type ResizeArgs[T C] struct { Img Image; Width int } */
		f.Type().Id(n.Args).Add(r.typeParams()).Struct(fields(w.Inputs())...)
	}
	if n.Result != "" {
		f.Comment(doc("%s holds the results of one %s call.", n.Result, w.Title))
		/* type ResizeResult[T C] struct { R0 Image; R1 int } */
		f.Type().Id(n.Result).Add(r.typeParams()).Struct(fields(w.Results)...)
	}
	if w.Process != "" {
		r.registration(f)
	}
	r.submit(f)
	r.mapOrStream(f, n.Map, "returns the results in input order", jen.Index().Add(r.elem()), "Map",
		jen.Params(jen.Index().Add(r.out()), jen.Error()))
	r.mapOrStream(f, n.Stream, "yields the results as they come", jen.Qual(gen.IterPath, "Seq").Types(r.elem()), "Stream",
		jen.Qual(gen.IterPath, "Seq2").Types(r.out(), jen.Error()))
}

// submit emits the Submit wrapper.
func (r *renderer) submit(f *jen.File) {
	w, n := r.w, &r.w.Names
	f.Comment(doc("%s submits a call of %s to %s and returns its Future; see [%s.Submit].%s",
		n.Submit, w.Title, n.Pool, r.pool, r.options()))
	params := []jen.Code{jen.Id(n.Ctx).Qual(gen.ContextPath, "Context"), jen.Id(n.Pool).Op("*").Qual(gen.RuntimePath, "Pool")}
	for _, p := range w.Inputs() {
		params = append(params, jen.Id(p.Name).Add(paramType(p)))
	}
	/*
		func SubmitResize(ctx context.Context, p *pool.Pool, img Image, width int) *pool.Future[Image] {
			return pool.Submit(ctx, p, func(ctx context.Context) (Image, error) { … })
		}
	*/
	body := r.callBody(r.submitCall())
	if w.Process != "" {
		body = r.processBody(r.submitArg())
	}
	/* with timeout=: pool.SubmitWithin(ctx, p, 5*time.Second, func(ctx context.Context) (Image, error) { … }) */
	submit, args := "Submit", []jen.Code{jen.Id(n.Ctx), jen.Id(n.Pool)}
	if w.Timeout > 0 {
		submit, args = "SubmitWithin", append(args, duration(w.Timeout))
	}
	f.Func().Id(n.Submit).Add(r.typeParams()).Params(params...).Op("*").Qual(gen.RuntimePath, "Future").Types(r.out()).Block(
		jen.Return(jen.Qual(gen.RuntimePath, submit).Call(append(args,
			jen.Func().Params(r.ctxParam()).Params(r.out(), jen.Error()).Block(body...),
		)...)),
	)
}

// mapOrStream emits the Map or the Stream wrapper: fn is pool.Map or pool.Stream,
// in the type of its inputs ([]E or iter.Seq[E]), results what it returns.
func (r *renderer) mapOrStream(f *jen.File, name, what string, in *jen.Statement, fn string, results jen.Code) {
	w, n := r.w, &r.w.Names
	see := fn
	if r.pipelined() {
		see = "ProcessFunc." + fn
	}
	f.Comment(doc("%s calls %s on %s with each element of %s and %s; see [%s.%s].%s",
		name, w.Title, n.Pool, n.In, what, r.pool, see, r.options()))
	/*
		func MapResize(ctx context.Context, p *pool.Pool, args []ResizeArgs, opts ...pool.MapOption) ([]Image, error) {
			return pool.Map(ctx, p, args, func(ctx context.Context, arg ResizeArgs) (Image, error) { … }, opts...)
		}
	*/
	var call *jen.Statement
	if r.pipelined() {
		call = r.processMapCall(fn)
	} else {
		item := jen.Id(n.Item)
		if len(w.Inputs()) == 0 {
			item = jen.Id("_")
		}
		body := r.callBody(r.itemCall())
		if w.Process != "" {
			body = r.processBody(r.itemArg())
		}
		call = jen.Qual(gen.RuntimePath, fn).Call(jen.Id(n.Ctx), jen.Id(n.Pool), jen.Id(n.In),
			jen.Func().Params(r.ctxParam(), item.Add(r.elem())).Params(r.out(), jen.Error()).Block(body...),
			r.opts(),
		)
	}
	f.Func().Id(name).Add(r.typeParams()).Params(
		jen.Id(n.Ctx).Qual(gen.ContextPath, "Context"),
		jen.Id(n.Pool).Op("*").Qual(gen.RuntimePath, "Pool"),
		jen.Id(n.In).Add(in),
		jen.Id(n.Opts).Op("...").Qual(gen.RuntimePath, "MapOption"),
	).Add(results).Block(jen.Return(call))
}

// options says what the worker's options change, for the wrappers' docs.
func (r *renderer) options() string {
	if r.w.Process != "" {
		return r.processOptions()
	}
	s := r.initOptions("pool worker")
	switch {
	case r.w.Timeout > 0:
		s += fmt.Sprintf(" Each call runs under a %v timeout.", r.w.Timeout)
	case !r.w.Context:
		s += fmt.Sprintf(" %s takes no ctx: a running call cannot be stopped, though waiting for it can.", r.w.Title)
	}
	return s
}

// inputsNoun says what an Args struct holds.
func (r *renderer) inputsNoun() string {
	if r.w.Recv != nil {
		return "receiver and arguments"
	}
	return "arguments"
}

// fields are the struct fields for params.
func fields(params []gen.Param) []jen.Code {
	var list []jen.Code
	for _, p := range params {
		t := typ(p.Type)
		if p.Variadic {
			t = jen.Index().Add(t)
		}
		list = append(list, jen.Id(p.Field).Add(t))
	}
	return list
}

// paramType is a parameter's type in a parameter list: ...T for a variadic one.
func paramType(p gen.Param) *jen.Statement {
	if p.Variadic {
		return jen.Op("...").Add(typ(p.Type))
	}
	return typ(p.Type)
}

// opts is the options a Map or Stream wrapper passes on: the caller's, after
// the worker's timeout= as a pool.Timeout, so that the caller's own can override it.
func (r *renderer) opts() *jen.Statement {
	n := &r.w.Names
	if r.w.Timeout == 0 {
		return jen.Id(n.Opts).Op("...") /* opts... */
	}
	/* append([]pool.MapOption{pool.Timeout(5 * time.Second)}, opts...)... */
	return jen.Append(jen.Index().Qual(gen.RuntimePath, "MapOption").Values(jen.Qual(gen.RuntimePath, "Timeout").Call(duration(r.w.Timeout))),
		jen.Id(n.Opts).Op("...")).Op("...")
}

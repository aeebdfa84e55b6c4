// Package templates renders the model package gen builds into one Go source
// file, with github.com/dave/jennifer. It never loads packages: everything it
// needs, identifiers included, is in the model.
//
// Each builder block carries, in a comment above it, the Go it emits.
package templates

import (
	"bytes"
	"fmt"
	"go/format"
	"strings"
	"time"

	"github.com/dave/jennifer/jen"
	"github.com/poolgen/poolgen/gen"
)

// Render returns the generated file for p: gofmt-formatted, and the same bytes
// for the same model.
func Render(p *gen.Package) ([]byte, error) {
	f := jen.NewFilePathName(p.Path, p.Name)
	f.HeaderComment(gen.Header)
	for _, imp := range p.Imports {
		if imp.Alias {
			f.ImportAlias(imp.Path, imp.Name)
		} else {
			f.ImportName(imp.Path, imp.Name)
		}
	}
	for i := range p.Workers {
		r := &renderer{w: &p.Workers[i], helper: p.TimeoutHelper, pool: importName(p, gen.RuntimePath)}
		r.render(f)
	}
	if p.TimeoutHelper != "" {
		timeoutHelper(f, p.TimeoutHelper, importName(p, gen.RuntimePath))
	}
	var buf bytes.Buffer
	if err := f.Render(&buf); err != nil {
		return nil, fmt.Errorf("rendering %s: %w", p.File, err)
	}
	return gofmt(buf.Bytes())
}

// gofmt formats src until formatting changes nothing more. go/format is not
// idempotent on what jennifer emits: a closure whose result type spans several
// lines (an inline struct) keeps its one-line body on the first pass and has
// it broken on the second, so gofmt -l would list the file.
func gofmt(src []byte) ([]byte, error) {
	for range 5 {
		out, err := format.Source(src)
		if err != nil {
			return nil, err
		}
		if bytes.Equal(out, src) {
			return out, nil
		}
		src = out
	}
	return src, nil
}

// importName is the name the file gives the package at path.
func importName(p *gen.Package, path string) string {
	for _, imp := range p.Imports {
		if imp.Path == path {
			return imp.Name
		}
	}
	return path
}

// timeoutHelper emits the helper that runs a worker call under its timeout= deadline.
func timeoutHelper(f *jen.File, name, pool string) {
	ctx := jen.Qual(gen.ContextPath, "Context")
	f.Comment(doc("%s calls fn with a ctx that ends after d, and returns when fn returns or that "+
		"ctx ends, whichever is first. In the second case fn's goroutine is abandoned: it runs "+
		"until fn returns, and its result is dropped. A panic in fn is returned as a *%s.PanicError.", name, pool))
	/* func name[T any](ctx context.Context, d time.Duration, fn func(context.Context) (T, error)) (T, error) { */
	f.Func().Id(name).Types(jen.Id("T").Any()).Params(
		jen.Id("ctx").Add(ctx),
		jen.Id("d").Qual(gen.TimePath, "Duration"),
		jen.Id("fn").Func().Params(ctx.Clone()).Params(jen.Id("T"), jen.Error()),
	).Params(jen.Id("T"), jen.Error()).Block(
		/* ctx, cancel := context.WithTimeout(ctx, d); defer cancel() */
		jen.List(jen.Id("ctx"), jen.Id("cancel")).Op(":=").Qual(gen.ContextPath, "WithTimeout").Call(jen.Id("ctx"), jen.Id("d")),
		jen.Defer().Id("cancel").Call(),
		/* var v T; var err error; done := make(chan struct{}) */
		jen.Var().Id("v").Id("T"),
		jen.Var().Id("err").Error(),
		jen.Id("done").Op(":=").Make(jen.Chan().Struct()),
		/* go func() { defer close(done); defer func() { if r := recover(); r != nil { err = &pool.PanicError{...} } }(); v, err = fn(ctx) }() */
		jen.Go().Func().Params().Block(
			jen.Defer().Close(jen.Id("done")),
			jen.Defer().Func().Params().Block(
				jen.If(jen.Id("r").Op(":=").Recover(), jen.Id("r").Op("!=").Nil()).Block(
					jen.Id("err").Op("=").Op("&").Qual(gen.RuntimePath, "PanicError").Values(
						jen.Id("Value").Op(":").Id("r"),
						jen.Id("Stack").Op(":").Qual(gen.DebugPath, "Stack").Call(),
					),
				),
			).Call(),
			jen.List(jen.Id("v"), jen.Id("err")).Op("=").Id("fn").Call(jen.Id("ctx")),
		).Call(),
		/* select { case <-done: return v, err; case <-ctx.Done(): var zero T; return zero, ctx.Err() } */
		jen.Select().Block(
			jen.Case(jen.Op("<-").Id("done")).Block(jen.Return(jen.Id("v"), jen.Id("err"))),
			jen.Case(jen.Op("<-").Id("ctx").Dot("Done").Call()).Block(
				jen.Var().Id("zero").Id("T"),
				jen.Return(jen.Id("zero"), jen.Id("ctx").Dot("Err").Call()),
			),
		),
	)
}

// doc formats a doc comment, wrapped before column 80.
func doc(format string, args ...any) string {
	var b strings.Builder
	line := "//"
	for _, word := range strings.Fields(fmt.Sprintf(format, args...)) {
		if len(line)+1+len(word) > 80 && line != "//" {
			b.WriteString(line + "\n")
			line = "//"
		}
		line += " " + word
	}
	b.WriteString(line)
	return b.String()
}

// duration is d as Go source: a count of its largest whole unit.
func duration(d time.Duration) *jen.Statement {
	units := []struct {
		d    time.Duration
		name string
	}{{time.Hour, "Hour"}, {time.Minute, "Minute"}, {time.Second, "Second"},
		{time.Millisecond, "Millisecond"}, {time.Microsecond, "Microsecond"}}
	for _, u := range units {
		if d%u.d == 0 {
			if d == u.d {
				return jen.Qual(gen.TimePath, u.name)
			}
			return jen.Lit(int(d/u.d)).Op("*").Qual(gen.TimePath, u.name)
		}
	}
	return jen.Qual(gen.TimePath, "Duration").Call(jen.Lit(int(d)))
}

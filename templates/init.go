package templates

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/poolgen/poolgen/gen"
)

// local emits the var holding each pool worker's receiver for the init=
// methods l serves.
func local(f *jen.File, l gen.Local, pool string) {
	f.Comment(doc("%s holds the %s of each pool worker, built by %s on the worker's first call of %s; see [%s.Local].",
		l.Name, l.Type, l.Func, orList(l.Users), pool))
	/* var clientLocal = pool.NewLocal(NewClient) */
	f.Var().Id(l.Name).Op("=").Qual(gen.RuntimePath, "NewLocal").Call(jen.Id(l.Func))
}

// getRecv is the statements that get an init= method's receiver from the
// worker running the call, returning the error of its init function; none
// without init=.
func (r *renderer) getRecv() []jen.Code {
	in, n := r.w.Init, &r.w.Names
	if in == nil {
		return nil
	}
	/*
		c, err := clientLocal.Get(ctx)
		if err != nil {
			var zero string
			return zero, err
		}
	*/
	return []jen.Code{
		jen.List(jen.Id(in.Recv), jen.Id(n.Err)).Op(":=").Id(in.Local).Dot("Get").Call(jen.Id(n.Ctx)),
		jen.If(jen.Id(n.Err).Op("!=").Nil()).Block(
			jen.Var().Id(n.Zero).Add(r.out()),
			jen.Return(jen.Id(n.Zero), jen.Id(n.Err)),
		),
	}
}

// initOptions says what init= changes, for the wrappers' docs: worker is
// what builds its own receiver.
func (r *renderer) initOptions(worker string) string {
	in := r.w.Init
	if in == nil {
		return ""
	}
	return fmt.Sprintf(" Each %s calls %s on its first call, for the %s it calls %s on; an error from %s fails that call.",
		worker, in.Func, in.Type, r.w.Func, in.Func)
}

// orList joins words as prose does: "a", "a or b", "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

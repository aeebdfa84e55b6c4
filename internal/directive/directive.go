// Package directive reads //poolgen:worker directives: which functions they
// mark and the options they give. poolgen (package gen) reports every
// misplaced or malformed directive with Find; poolvet reads a function's
// directive with Of and leaves the errors to poolgen.
package directive

import (
	"fmt"
	"go/ast"
	"go/token"
	"regexp"
	"strings"
)

const prefix = "//poolgen:"

// Worker is the directive that marks a worker function.
const Worker = "//poolgen:worker"

// spaced matches a worker directive written with a space after the slashes,
// which Go tools do not treat as a directive; prose such as "// poolgen: see
// the manual" does not match.
var spaced = regexp.MustCompile(`^//\s+poolgen:worker\b`)

// block matches a worker directive in a block comment, which Go tools do not
// treat as a directive either.
var block = regexp.MustCompile(`^/\*\s*poolgen:worker\b`)

// An Error is a problem with a directive, at the position it is about.
type Error struct {
	Pos token.Position
	Msg string // what is wrong, without the position
}

// A Directive is one well-formed //poolgen:worker comment and the function it
// annotates.
type Directive struct {
	Func *ast.FuncDecl
	Pos  token.Position // of the comment
	Opts Options
}

// Find returns the functions of file annotated with //poolgen:worker, in
// source order, and an error for every misplaced or malformed directive. A
// directive with a malformed option is left out of the result.
func Find(fset *token.FileSet, file *ast.File) ([]Directive, []Error) {
	funcs, kinds := declComments(file)
	var (
		dirs      []Directive
		errs      []Error
		annotated = map[*ast.FuncDecl]bool{}
	)
	errorf := func(pos token.Position, format string, args ...any) {
		errs = append(errs, newError(pos, format, args...))
	}
	for _, g := range file.Comments {
		for _, c := range g.List {
			pos := fset.Position(c.Slash)
			fn := funcs[c]
			switch {
			case spaced.MatchString(c.Text):
				errorf(pos, "directive has a space after //: write //poolgen:%s",
					strings.TrimSpace(c.Text[strings.Index(c.Text, "poolgen:")+len("poolgen:"):]))
			case block.MatchString(c.Text):
				errorf(pos, "directive in a /* */ comment: write %s as a // line comment", Worker)
			case !strings.HasPrefix(c.Text, prefix):
			case !IsWorker(c.Text):
				errorf(pos, "unknown directive %s (the only one is %s)", strings.Fields(c.Text)[0], Worker)
			case fn != nil && annotated[fn]:
				errorf(pos, "second %s directive on %s", Worker, fn.Name.Name)
			case fn != nil:
				annotated[fn] = true
				opts, optErrs := Parse(c.Text, pos)
				if optErrs == nil {
					dirs = append(dirs, Directive{Func: fn, Pos: pos, Opts: opts})
				}
				errs = append(errs, optErrs...)
			case kinds[c] != "":
				errorf(pos, "%s must annotate a func, not a %s declaration", Worker, kinds[c])
			default:
				errorf(pos, "%s is not in the doc comment of a func: put it on the line above the func", Worker)
			}
		}
	}
	return dirs, errs
}

// Of reports whether the doc comment of fn holds a //poolgen:worker directive
// and returns its options. A malformed option is left at its zero value
// silently: poolgen reports it when it generates.
func Of(fn *ast.FuncDecl) (Options, bool) {
	for _, c := range comments(fn.Doc) {
		if IsWorker(c.Text) {
			opts, _ := Parse(c.Text, token.Position{})
			return opts, true
		}
	}
	return Options{}, false
}

// IsWorker reports whether text is //poolgen:worker, with or without options.
func IsWorker(text string) bool {
	rest, ok := strings.CutPrefix(text, Worker)
	return ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t')
}

// declComments maps each comment in the doc of a function to the function,
// and each one in the doc of another declaration, or of one of its specs, to
// that declaration's keyword.
func declComments(file *ast.File) (map[*ast.Comment]*ast.FuncDecl, map[*ast.Comment]string) {
	funcs := map[*ast.Comment]*ast.FuncDecl{}
	kinds := map[*ast.Comment]string{}
	for _, d := range file.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			for _, c := range comments(d.Doc) {
				funcs[c] = d
			}
		case *ast.GenDecl:
			for _, c := range genDeclComments(d) {
				kinds[c] = d.Tok.String()
			}
		}
	}
	return funcs, kinds
}

// comments returns the comments of a group, which may be nil.
func comments(g *ast.CommentGroup) []*ast.Comment {
	if g == nil {
		return nil
	}
	return g.List
}

// genDeclComments returns the doc comments of a type, var, const or import
// declaration and of each of its specs.
func genDeclComments(d *ast.GenDecl) []*ast.Comment {
	list := comments(d.Doc)
	for _, s := range d.Specs {
		switch s := s.(type) {
		case *ast.TypeSpec:
			list = append(list, comments(s.Doc)...)
		case *ast.ValueSpec:
			list = append(list, comments(s.Doc)...)
		case *ast.ImportSpec:
			list = append(list, comments(s.Doc)...)
		}
	}
	return list
}

// newError returns an Error at pos.
func newError(pos token.Position, format string, args ...any) Error {
	return Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

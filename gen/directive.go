package gen

import (
	"go/ast"
	"go/token"
	"iter"
	"regexp"
	"strings"
	"time"
)

const (
	directivePrefix = "//poolgen:"
	workerDirective = "//poolgen:worker"
)

// spaced matches a worker directive written with a space after the slashes,
// which Go tools do not treat as a directive; prose such as "// poolgen: see
// the manual" does not match.
var spaced = regexp.MustCompile(`^//\s+poolgen:worker\b`)

// block matches a worker directive in a block comment, which Go tools do not
// treat as a directive either.
var block = regexp.MustCompile(`^/\*\s*poolgen:worker\b`)

// A directive is one //poolgen:worker comment and the function it annotates.
type directive struct {
	fn   *ast.FuncDecl
	pos  token.Position // of the comment
	opts options
}

// options are a directive's parsed options, with where each was written.
type options struct {
	name      string
	timeout   time.Duration
	nocontext bool
	process   bool                      // isolate=process
	at        map[string]token.Position // option key → its position
}

// findDirectives returns the functions of file annotated with //poolgen:worker,
// in source order, and reports every misplaced or malformed directive.
func findDirectives(fset *token.FileSet, file *ast.File, errs *ErrorList) []directive {
	funcs := map[*ast.Comment]*ast.FuncDecl{}
	kinds := map[*ast.Comment]string{} // a comment in the doc of a non-function declaration
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
	var dirs []directive
	annotated := map[*ast.FuncDecl]bool{}
	for _, g := range file.Comments {
		for _, c := range g.List {
			pos := fset.Position(c.Slash)
			switch {
			case spaced.MatchString(c.Text):
				errs.errorf(pos, "directive has a space after //: write //poolgen:%s",
					strings.TrimSpace(c.Text[strings.Index(c.Text, "poolgen:")+len("poolgen:"):]))
			case block.MatchString(c.Text):
				errs.errorf(pos, "directive in a /* */ comment: write %s as a // line comment", workerDirective)
			case !strings.HasPrefix(c.Text, directivePrefix):
			case !isWorkerDirective(c.Text):
				errs.errorf(pos, "unknown directive %s (the only one is %s)", strings.Fields(c.Text)[0], workerDirective)
			case funcs[c] != nil && annotated[funcs[c]]:
				errs.errorf(pos, "second %s directive on %s", workerDirective, funcs[c].Name.Name)
			case funcs[c] != nil:
				annotated[funcs[c]] = true
				if opts, ok := parseOptions(c.Text, pos, errs); ok {
					dirs = append(dirs, directive{fn: funcs[c], pos: pos, opts: opts})
				}
			case kinds[c] != "":
				errs.errorf(pos, "%s must annotate a func, not a %s declaration", workerDirective, kinds[c])
			default:
				errs.errorf(pos, "%s is not in the doc comment of a func: put it on the line above the func", workerDirective)
			}
		}
	}
	return dirs
}

// isWorkerDirective reports whether text is //poolgen:worker, with or without options.
func isWorkerDirective(text string) bool {
	rest, ok := strings.CutPrefix(text, workerDirective)
	return ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t')
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

// knownOptions is how errors list the options a directive accepts.
const knownOptions = "isolate=process, name=, nocontext, timeout="

// parseOptions parses the options after //poolgen:worker in text, a comment at
// pos. Each error points at the option it is about.
func parseOptions(text string, pos token.Position, errs *ErrorList) (options, bool) {
	opts := options{at: map[string]token.Position{}}
	n := len(*errs)
	for off, field := range fields(text[len(workerDirective):], len(workerDirective)) {
		at := pos
		at.Column += off
		at.Offset += off
		key, val, hasVal := strings.Cut(field, "=")
		if _, dup := opts.at[key]; dup {
			errs.errorf(at, "duplicate option %s", field)
			continue
		}
		opts.at[key] = at
		switch {
		case key == "name" && (!token.IsIdentifier(val) || val == "_"):
			errs.errorf(at, "option %s: the name must be a Go identifier, as in name=Thumb", field)
		case key == "name":
			opts.name = val
		case key == "timeout":
			opts.timeout = parseTimeout(field, val, at, errs)
		case key == "nocontext" && hasVal:
			errs.errorf(at, "option nocontext takes no value")
		case key == "nocontext":
			opts.nocontext = true
		case key == "isolate" && val != "process":
			errs.errorf(at, "option %s: the only isolation is isolate=process", field)
		case key == "isolate":
			opts.process = true
		default:
			errs.errorf(at, "unknown option %q (known options: %s)", field, knownOptions)
		}
	}
	return opts, len(*errs) == n
}

// parseTimeout parses the value of timeout=, which must be a positive Go duration.
func parseTimeout(field, val string, at token.Position, errs *ErrorList) time.Duration {
	d, err := time.ParseDuration(val)
	switch {
	case err != nil:
		errs.errorf(at, "malformed option %s: want a Go duration such as 5s or 1m30s", field)
	case d <= 0:
		errs.errorf(at, "option %s: the timeout must be positive", field)
	}
	return d
}

// fields splits s into space-separated fields, yielding each field's byte
// offset (plus base) in the whole comment.
func fields(s string, base int) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		for i := 0; i < len(s); {
			if s[i] == ' ' || s[i] == '\t' {
				i++
				continue
			}
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '\t' {
				j++
			}
			if !yield(base+i, s[i:j]) {
				return
			}
			i = j
		}
	}
}

// WorkerOptions are the options of a //poolgen:worker directive, for tools that
// read directives without generating code, such as poolvet.
type WorkerOptions struct {
	Name      string        // name=, or "" when absent or malformed
	Timeout   time.Duration // timeout=, or 0 when absent or malformed
	NoContext bool          // nocontext: the worker takes no context.Context
}

// WorkerDirective reports whether the doc comment of fn holds a
// //poolgen:worker directive and returns its options. Malformed options are
// left out silently: poolgen reports them when it generates.
func WorkerDirective(fn *ast.FuncDecl) (WorkerOptions, bool) {
	for _, c := range comments(fn.Doc) {
		if !isWorkerDirective(c.Text) {
			continue
		}
		var errs ErrorList
		opts, _ := parseOptions(c.Text, token.Position{}, &errs)
		// parseOptions sets name only when valid; a bad timeout may be negative.
		return WorkerOptions{Name: opts.name, Timeout: max(opts.timeout, 0), NoContext: opts.nocontext}, true
	}
	return WorkerOptions{}, false
}

package templates_test

import (
	"bytes"
	"flag"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"github.com/poolgen/poolgen/gen"
	"github.com/poolgen/poolgen/gen/gentest"
	"github.com/poolgen/poolgen/templates"
)

// update is accepted so that "go test ./... -update" works; the golden files
// are cmd/poolgen's.
var _ = flag.Bool("update", false, "unused here")

const workers = `package w

import (
	"context"
	"strings"
)

//poolgen:worker
func Join(ctx context.Context, sep string, parts ...string) (string, error) { return strings.Join(parts, sep), nil }

//poolgen:worker timeout=1s
func Split[T ~string](ctx context.Context, s T) (head, tail T, err error) { return s, s, nil }

type S struct{}

//poolgen:worker nocontext
func (s *S) none() {}
`

// generate runs gen and templates on files, and type-checks the result with them.
func generate(t testing.TB, files map[string]string) []byte {
	t.Helper()
	p, err := gentest.Check("example.com/w", files)
	if err != nil {
		t.Fatal(err)
	}
	model, err := gen.Build(p, gen.DefaultOutput)
	if err != nil {
		t.Fatal(err)
	}
	src, err := templates.Render(model)
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]string{gen.DefaultOutput: string(src)}
	for name, data := range files {
		all[name] = data
	}
	if _, err := gentest.Check("example.com/w", all); err != nil {
		t.Fatalf("generated code does not type-check: %v\n%s", err, src)
	}
	return src
}

// TestRenderIsDeterministicAndGofmtClean renders the same package twice.
func TestRenderIsDeterministicAndGofmtClean(t *testing.T) {
	first := generate(t, map[string]string{"w.go": workers})
	if second := generate(t, map[string]string{"w.go": workers}); !bytes.Equal(first, second) {
		t.Errorf("two runs differ:\n%s\n---\n%s", first, second)
	}
	formatted, err := format.Source(first)
	if err != nil || !bytes.Equal(formatted, first) {
		t.Errorf("output is not gofmt-clean (%v):\n%s", err, first)
	}
	if !strings.HasPrefix(string(first), gen.Header+"\n") {
		t.Errorf("output does not start with the header:\n%s", first)
	}
}

// TestEveryGeneratedNameHasADocComment checks each top-level declaration.
func TestEveryGeneratedNameHasADocComment(t *testing.T) {
	src := generate(t, map[string]string{"w.go": workers})
	f, err := parser.ParseFile(token.NewFileSet(), "gen.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range f.Decls {
		name, doc := "", (*ast.CommentGroup)(nil)
		switch d := d.(type) {
		case *ast.FuncDecl:
			name, doc = d.Name.Name, d.Doc
		case *ast.GenDecl:
			if d.Tok != token.TYPE {
				continue
			}
			name, doc = d.Specs[0].(*ast.TypeSpec).Name.Name, d.Doc
		}
		n++
		if doc == nil || !strings.HasPrefix(doc.Text(), name+" ") {
			t.Errorf("%s has no doc comment starting with its name", name)
		}
	}
	if n != 11 { // Join's 4, Split's 4, none's 3 (no Args)
		t.Errorf("%d declarations, want 11", n)
	}
}

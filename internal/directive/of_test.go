package directive

import (
	"go/ast"
	"go/parser"
	"go/token"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestOfReadsOptions checks the lenient reader that poolvet uses: which
// funcs are workers, and which options survive.
func TestOfReadsOptions(t *testing.T) {
	const src = `package p

//poolgen:worker name=Thumb timeout=2s
func A() {}

// B is a worker without a ctx.
//
//poolgen:worker nocontext isolate=process
func B() {}

//poolgen:worker timeout=-1s name=9
func C() {}

// poolgen:worker
func D() {}

//poolgen:workers
func E() {}

//poolgen:worker init=NewConn
func F() {}
`
	f, err := parser.ParseFile(token.NewFileSet(), "p.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		Opts Options
		OK   bool
	}
	want := map[string]result{
		"A": {Options{Name: "Thumb", Timeout: 2 * time.Second}, true},
		"B": {Options{NoContext: true, Process: true}, true},
		"C": {Options{}, true},
		"D": {Options{}, false},
		"E": {Options{}, false},
		"F": {Options{Init: "NewConn"}, true},
	}
	for _, d := range f.Decls {
		fn := d.(*ast.FuncDecl)
		opts, ok := Of(fn)
		if diff := cmp.Diff(want[fn.Name.Name], result{opts, ok}, cmpopts.IgnoreFields(Options{}, "At")); diff != "" {
			t.Errorf("Of(%s) (-want +got):\n%s", fn.Name.Name, diff)
		}
	}
}

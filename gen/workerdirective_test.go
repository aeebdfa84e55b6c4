package gen

import (
	"go/ast"
	"go/parser"
	"go/token"
	"testing"
	"time"
)

// TestWorkerDirectiveReadsOptions checks the exported directive reader that
// poolvet shares: which funcs are workers, and which options survive.
func TestWorkerDirectiveReadsOptions(t *testing.T) {
	const src = `package p

//poolgen:worker name=Thumb timeout=2s
func A() {}

// B is a worker without a ctx.
//
//poolgen:worker nocontext
func B() {}

//poolgen:worker timeout=-1s name=9
func C() {}

// poolgen:worker
func D() {}

//poolgen:workers
func E() {}
`
	f, err := parser.ParseFile(token.NewFileSet(), "p.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		opts WorkerOptions
		ok   bool
	}{
		"A": {WorkerOptions{Name: "Thumb", Timeout: 2 * time.Second}, true},
		"B": {WorkerOptions{NoContext: true}, true},
		"C": {WorkerOptions{}, true},
		"D": {WorkerOptions{}, false},
		"E": {WorkerOptions{}, false},
	}
	for _, d := range f.Decls {
		fn := d.(*ast.FuncDecl)
		opts, ok := WorkerDirective(fn)
		if w := want[fn.Name.Name]; opts != w.opts || ok != w.ok {
			t.Errorf("WorkerDirective(%s) = %+v, %v; want %+v, %v", fn.Name.Name, opts, ok, w.opts, w.ok)
		}
	}
}

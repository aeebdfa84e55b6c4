package gen_test

import (
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/poolgen/poolgen/gen"
	"github.com/poolgen/poolgen/gen/gentest"
)

// update is accepted so that "go test ./... -update" works; this package has
// no golden files.
var _ = flag.Bool("update", false, "unused here")

const resize = `package img

import (
	"context"
	"time"
)

type Image struct{ W, H int }

//poolgen:worker timeout=2s
func Resize(ctx context.Context, img Image, width int, ds ...time.Duration) (Image, error) { return img, nil }
`

// TestBuildDescribesTheWorkerAsPlainData checks the whole model of a worker.
func TestBuildDescribesTheWorkerAsPlainData(t *testing.T) {
	p, err := gentest.Check("example.com/img", map[string]string{"img.go": resize})
	if err != nil {
		t.Fatal(err)
	}
	got, err := gen.Build(p, gen.DefaultOutput)
	if err != nil {
		t.Fatal(err)
	}
	text := func(s string) gen.Type { return gen.Type{{Text: s}} }
	want := &gen.Package{
		Name: "img", Path: "example.com/img", File: gentest.Dir + "/poolgen_gen.go",
		Imports: []gen.Import{
			{Path: gen.RuntimePath, Name: "pool"}, {Path: "context", Name: "context"}, {Path: "iter", Name: "iter"},
			{Path: "time", Name: "time"}, {Path: "runtime/debug", Name: "debug"},
		},
		TimeoutHelper: "callWithTimeout",
		Workers: []gen.Worker{{
			Func: "Resize", Title: "Resize", Context: true, Error: true, Timeout: 2 * time.Second,
			Names: gen.Names{
				Submit: "SubmitResize", Map: "MapResize", Stream: "StreamResize", Args: "ResizeArgs",
				Ctx: "ctx", Pool: "p", In: "args", Opts: "opts", Item: "arg",
			},
			Params: []gen.Param{
				{Name: "img", Field: "Img", Type: text("Image")},
				{Name: "width", Field: "Width", Type: text("int")},
				{Name: "ds", Field: "Ds", Type: gen.Type{{Path: "time", Name: "Duration"}}, Variadic: true},
			},
			Results: []gen.Param{{Field: "R0", Type: text("Image")}},
		}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("model (-want +got):\n%s", diff)
	}
}

// TestBuildReportsEveryProblemWithItsPosition checks that problems in several
// workers come back together, sorted, each at its position.
func TestBuildReportsEveryProblemWithItsPosition(t *testing.T) {
	src := `package p

import "context"

//poolgen:worker name=1x
func A(ctx context.Context) {}

//poolgen:worker
func B(x int, ctx context.Context) {}

// poolgen:worker
func C(ctx context.Context) {}
`
	p, err := gentest.Check("example.com/p", map[string]string{"p.go": src})
	if err != nil {
		t.Fatal(err)
	}
	_, err = gen.Build(p, gen.DefaultOutput)
	want := []string{
		"/gentest/p.go:5:18: option name=1x: the name must be a Go identifier, as in name=Thumb",
		"/gentest/p.go:9:15: context.Context must be the first parameter of B",
		"/gentest/p.go:11:1: directive has a space after //: write //poolgen:worker",
	}
	if err == nil {
		t.Fatal("no error")
	}
	if diff := cmp.Diff(want, strings.Split(err.Error(), "\n")); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

// TestBuildWithoutWorkersReturnsNil checks that a package without workers
// yields no model and no error.
func TestBuildWithoutWorkersReturnsNil(t *testing.T) {
	p, err := gentest.Check("example.com/p", map[string]string{"p.go": "package p\n\n// F is not a worker.\nfunc F() {}\n"})
	if err != nil {
		t.Fatal(err)
	}
	if m, err := gen.Build(p, gen.DefaultOutput); m != nil || err != nil {
		t.Errorf("Build = %v, %v; want nil, nil", m, err)
	}
}

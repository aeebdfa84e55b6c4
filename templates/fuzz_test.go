package templates_test

import (
	"bytes"
	"errors"
	"fmt"
	"go/format"
	"strings"
	"testing"

	"github.com/poolgen/poolgen/gen"
	"github.com/poolgen/poolgen/gen/gentest"
	"github.com/poolgen/poolgen/templates"
)

// FuzzGenerate builds a package of random, valid workers from the fuzz input,
// runs gen and templates on it, and checks that the output is gofmt-clean and
// type-checks with go/types. It never panics; gen may reject a package (two
// parameters that become the same field, say), but only with positioned errors.
func FuzzGenerate(f *testing.F) {
	for _, seed := range []string{"", "\x01\x02\x03", "\x05\x01\x04\x03\x02\x07\x09", "\xff\x10\x22\x35\x47\x59\x6b\x7d\x8f",
		"\x00\x03\x01\x01\x01\x00\x00\x01\x12\x00\x01\x00",                 // Work0(ctx) (struct{ X, Y int }, error)
		"\x00\x02\x04\x01\x01\x01\x00\x01\x13\x01\x0b\x01\x13\x00\x01\x00", // Work0[K any, Work0 any](ctx, x K) (K, error)
		"r\n\nK\x91\x1d\xc2i\x19|<9h \xb3\x03",                             // init=NewT (_ *T) run0(_ ctx) (R0 time.Duration, err1 error)
		"\x18d\xb3n\xf5i\x1a\x97-\x016\xbd\x9e\xe9\xaa\x16\a",              // init=NewT (T *T) Resize0(_ ctx, _ func(int) error) (struct{ X, Y int }, <-chan string)
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		src := (&fuzzSource{data: data}).pkg()
		p, err := gentest.Check("example.com/fz", map[string]string{"fz.go": src})
		if err != nil {
			t.Skipf("the fuzz source does not type-check (%v):\n%s", err, src)
		}
		model, err := gen.Build(p, gen.DefaultOutput)
		var list gen.ErrorList
		if errors.As(err, &list) {
			for _, e := range list {
				if e.Pos.Line == 0 || e.Pos.Column == 0 {
					t.Fatalf("error without a position: %v\n%s", e, src)
				}
			}
			return
		} else if err != nil {
			t.Fatalf("error that is not an ErrorList: %v", err)
		}
		out, err := templates.Render(model)
		if err != nil {
			t.Fatalf("Render: %v\n%s", err, src)
		}
		if formatted, err := format.Source(out); err != nil || !bytes.Equal(formatted, out) {
			t.Fatalf("output is not gofmt-clean (%v):\n--- input\n%s\n--- output\n%s", err, src, out)
		}
		if _, err := gentest.Check("example.com/fz", map[string]string{"fz.go": src, "gen.go": string(out)}); err != nil {
			t.Fatalf("output does not type-check: %v\n--- input\n%s\n--- output\n%s", err, src, out)
		}
	})
}

// A fuzzSource turns fuzz bytes into choices.
type fuzzSource struct {
	data []byte
	i    int
}

// pick returns one of list, as the next byte says.
func (s *fuzzSource) pick(list ...string) string { return list[s.n(len(list))] }

// n returns a number below max.
func (s *fuzzSource) n(max int) int {
	if s.i >= len(s.data) {
		return 0
	}
	s.i++
	return int(s.data[s.i-1]) % max
}

const fuzzHeader = `package fz

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"
)

var _, _, _, _, _ = cmp.Compare[int], fmt.Sprint, strings.ToUpper, time.Second, context.Background

type T struct{}

func NewT(context.Context) (*T, error) { return &T{}, nil }

type G[E any] struct{ e E }
`

// initMark stands for the option init=NewT in a worker with receiver *T
// until pkg decides on it.
const initMark = "\x00init"

// pkg returns a package with one to three workers. Whether a method of *T
// has init=NewT is read last, from bytes that older inputs of the corpus did
// not use, so that they keep meaning what they meant.
func (s *fuzzSource) pkg() string {
	var b strings.Builder
	b.WriteString(fuzzHeader)
	for i := range 1 + s.n(3) {
		b.WriteString(s.worker(i))
	}
	src := b.String()
	for strings.Contains(src, initMark) {
		src = strings.Replace(src, initMark, s.pick("", " init=NewT"), 1)
	}
	return src
}

// worker returns a worker declaration, the i-th of its package.
func (s *fuzzSource) worker(i int) string {
	var opts, recv, tparams string
	types := []string{"int", "string", "[]byte", "map[string][]int", "*int", "chan<- int", "<-chan string",
		"func(int) error", "struct{ A int `json:\"a\"` }", "interface{ M() }", "time.Duration", "*strings.Builder",
		"[3]int", "error", "any", "context.Context", "G[int]", "fmt.Stringer", "struct{ X, Y int }"}
	switch s.n(5) {
	case 4:
		recv = fmt.Sprintf("(%s G[_]) ", s.pick("g", "_"))
	case 0:
		recv, opts = fmt.Sprintf("(%s *T) ", s.pick("t", "_", "T")), initMark
	case 1:
		recv, types = fmt.Sprintf("(%s G[E]) ", s.pick("g", "_")), append(types, "E", "G[E]")
	case 2:
		tparams = "[" + s.pick("K any", "K comparable", "K ~int | ~float64", "K cmp.Ordered, V fmt.Stringer",
			"K any, Work0 any", "K any, Work0Args comparable", "K any, Work0Result ~[]K") + "]"
		types = append(types, "K", "[]K", "G[K]")
	}
	noctx := s.n(6) == 0
	if noctx {
		opts += " nocontext"
	} else if s.n(4) == 0 {
		opts += " timeout=" + s.pick("1s", "1h", "250ms", "3us", "7ns", "1m30s")
	}
	if s.n(4) == 0 {
		opts += " name=" + s.pick("Alt", "alt", "Other"+fmt.Sprint(i))
	}
	params := s.params(types, noctx)
	results := s.results(types)
	name := s.pick("Work", "work", "Resize", "run") + fmt.Sprint(i)
	return fmt.Sprintf("\n//poolgen:worker%s\nfunc %s%s%s(%s) (%s) { panic(0) }\n", opts, recv, name, tparams, params, results)
}

// params returns a parameter list: a ctx (unless noctx), then up to four more,
// named from names the wrappers use too, unnamed, or blank; the last may be variadic.
func (s *fuzzSource) params(types []string, noctx bool) string {
	names := []string{"p", "args", "opts", "arg", "err", "pool", "context", "iter", "cancel", "ctx", "fn",
		"x", "string", "int", "len", "error", "nil1", "recv", "Work0", "r0", "callWithTimeout"}
	mode := s.n(3) // named, unnamed, blank
	var list []string
	if !noctx {
		list = append(list, map[int]string{0: "ctx_ context.Context", 1: "context.Context", 2: "_ context.Context"}[mode])
	}
	used := map[string]bool{}
	n := s.n(5)
	for i := range n {
		typ := s.pick(types...)
		if i == n-1 && s.n(4) == 0 {
			typ = "..." + typ
		}
		switch mode {
		case 0:
			name := s.pick(names...)
			for used[name] {
				name += "x"
			}
			used[name] = true
			list = append(list, name+" "+typ)
		case 1:
			list = append(list, typ)
		default:
			list = append(list, "_ "+typ)
		}
	}
	return strings.Join(list, ", ")
}

// results returns a result list of up to three types, maybe named, maybe
// ending with an error.
func (s *fuzzSource) results(types []string) string {
	var list []string
	for range s.n(4) {
		list = append(list, s.pick(types...))
	}
	if s.n(2) == 0 {
		list = append(list, "error")
	}
	if s.n(3) == 0 {
		for i := range list {
			list[i] = s.pick("n", "r", "err", "v", "R") + fmt.Sprint(i) + " " + list[i]
		}
	}
	return strings.Join(list, ", ")
}

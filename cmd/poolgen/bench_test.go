package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/poolgen/poolgen/gen"
	"github.com/poolgen/poolgen/templates"
)

// manyWorkers returns a package of n workers of varied shapes.
func manyWorkers(n int) string {
	var b strings.Builder
	b.WriteString("package many\n\nimport (\n\t\"context\"\n\t\"time\"\n)\n\n" +
		"type Image struct{ W, H int }\n\ntype Service struct{}\n\nvar _ = time.Second\n")
	shapes := []string{
		"//poolgen:worker\nfunc W%d(ctx context.Context, img Image, width int) (Image, error) { return img, nil }\n",
		"//poolgen:worker timeout=5s\nfunc W%d(ctx context.Context, d time.Duration) error { return nil }\n",
		"//poolgen:worker\nfunc W%d[T ~int | ~float64](ctx context.Context, xs ...T) (sum T, n int, err error) { return }\n",
		"//poolgen:worker\nfunc (s *Service) M%d(ctx context.Context, url string, p, args int) (string, error) { return url, nil }\n",
		"//poolgen:worker nocontext name=Plain%d\nfunc w%[1]d(s string) string { return s }\n",
	}
	for i := range n {
		fmt.Fprintf(&b, "\n"+shapes[i%len(shapes)], i)
	}
	return b.String()
}

// timeGenerate loads the package in dir and runs gen and templates on it,
// and returns how long the load took and how long the rest did.
func timeGenerate(tb testing.TB, dir string) (load, render time.Duration) {
	start := time.Now()
	pkgs, err := gen.Load(gen.Config{Dir: dir})
	if err != nil {
		tb.Fatal(err)
	}
	loaded := time.Now()
	model, err := gen.Build(pkgs[0], gen.DefaultOutput)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := templates.Render(model); err != nil {
		tb.Fatal(err)
	}
	return loaded.Sub(start), time.Since(loaded)
}

// BenchmarkGenerate200Workers reports, per run on a package of 200 workers,
// the time go/packages takes to load it and the time gen and templates take.
// The budget for gen and templates is 100 ms; it lives here, not in a timed
// test, because a loaded machine swings the figure twofold.
func BenchmarkGenerate200Workers(b *testing.B) {
	dir := filepath.Join(newModule(b), "many")
	writeFiles(b, dir, map[string][]byte{"many.go": []byte(manyWorkers(200))})
	var load, render time.Duration
	for b.Loop() {
		l, r := timeGenerate(b, dir)
		load, render = load+l, render+r
	}
	b.ReportMetric(float64(load.Milliseconds())/float64(b.N), "load-ms/op")
	b.ReportMetric(float64(render.Microseconds())/1000/float64(b.N), "gen+templates-ms/op")
}

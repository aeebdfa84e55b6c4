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
	for _, l := range p.Locals {
		local(f, l, importName(p, gen.RuntimePath))
	}
	for i := range p.Workers {
		r := &renderer{w: &p.Workers[i], pool: importName(p, gen.RuntimePath)}
		r.render(f)
	}
	var buf bytes.Buffer
	if err := f.Render(&buf); err != nil {
		return nil, fmt.Errorf("rendering %s: %w", p.File, err)
	}
	return gofmt(groupImports(buf.Bytes()))
}

// groupImports puts the standard library's imports first in the import block
// of src, then a blank line and the others, as goimports does: jennifer sorts
// them all in one group. A path whose first element has no dot is taken for
// the standard library's, as goimports takes it.
func groupImports(src []byte) []byte {
	const open, closing = "\nimport (\n", "\n)\n"
	start := bytes.Index(src, []byte(open))
	if start < 0 {
		return src
	}
	start += len(open)
	end := bytes.Index(src[start:], []byte(closing))
	if end < 0 {
		return src
	}
	end += start
	var std, other [][]byte
	for line := range bytes.SplitSeq(src[start:end], []byte("\n")) {
		_, path, _ := bytes.Cut(line, []byte(`"`))
		first, _, _ := bytes.Cut(path, []byte("/"))
		if bytes.Contains(first, []byte(".")) {
			other = append(other, line)
		} else {
			std = append(std, line)
		}
	}
	groups := [][]byte{bytes.Join(std, []byte("\n")), bytes.Join(other, []byte("\n"))}
	if len(std) == 0 || len(other) == 0 {
		groups = [][]byte{src[start:end]}
	}
	out := append([]byte{}, src[:start]...)
	out = append(out, bytes.Join(groups, []byte("\n\n"))...)
	return append(out, src[end:]...)
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

package gen

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/packages"
)

// A builder describes the workers of one package.
type builder struct {
	fset     *token.FileSet
	pkg      *types.Package
	info     *types.Info
	file     *ast.File         // the file being read
	names    map[string]string // import path → preferred, later final, name in the generated file
	pkgNames map[string]string // import path → package name
	errs     ErrorList
}

// Build describes the workers of p, a package loaded by [Load] (or built alike:
// Name, PkgPath, Dir, Fset, Syntax, Types, TypesInfo and Errors set), and checks
// them. output is the generated file's name in p.Dir. Build returns nil, nil
// when p has no //poolgen:worker directive (whatever its load errors), and an
// [ErrorList] when anything is wrong: then p's type errors if it has any, else
// every problem with its workers.
func Build(p *packages.Package, output string) (*Package, error) {
	return build(p, output, nil)
}

// BuildAll is [Build] for each package of pkgs, loaded together by one [Load]:
// models[i] is pkgs[i]'s model, or nil. Load type-checks each package against
// the others without their generated files, so a package's uses of names
// another package of pkgs is about to generate (b's a.SubmitScale) are not
// errors. The error lists every problem of every package.
func BuildAll(pkgs []*packages.Package, output string) (models []*Package, err error) {
	others := map[string]map[string]bool{}
	for _, p := range pkgs {
		if p.Types == nil || p.TypesInfo == nil {
			continue
		}
		works, _ := newBuilder(p).works(p.Syntax)
		names := map[string]bool{}
		for _, w := range works {
			for _, n := range generated(w) {
				names[n] = true
			}
		}
		others[p.PkgPath] = names
	}
	var errs ErrorList
	for _, p := range pkgs {
		model, err := build(p, output, others)
		if list, ok := err.(ErrorList); ok {
			errs = append(errs, list...)
		} else if err != nil {
			return nil, err
		}
		models = append(models, model)
	}
	return models, errs.Err()
}

// newBuilder returns a builder for p.
func newBuilder(p *packages.Package) *builder {
	return &builder{fset: p.Fset, pkg: p.Types, info: p.TypesInfo, names: fixedNames(), pkgNames: fixedNames()}
}

// works describes every worker of files, with its package-level names, and
// counts the directives found.
func (b *builder) works(files []*ast.File) (works []*work, dirs int) {
	for _, f := range files {
		b.file = f
		for _, d := range findDirectives(b.fset, f, &b.errs) {
			dirs++
			if w, ok := b.worker(d); ok {
				topNames(w)
				works = append(works, w)
			}
		}
	}
	return works, dirs
}

// build is Build; others maps the import path of each package loaded with p to
// the names generated for it, whose uses in p are not errors.
func build(p *packages.Package, output string, others map[string]map[string]bool) (*Package, error) {
	if p.Types == nil || p.TypesInfo == nil {
		return nil, loadErrors(p, "", nil, nil).Err()
	}
	b := newBuilder(p)
	works, dirs := b.works(p.Syntax)
	b.checkTestFiles(p.Dir)
	if dirs == 0 && len(b.errs) == 0 && len(p.Syntax) > 0 {
		return nil, nil // nothing for poolgen here, broken or not
	}
	timeouts := false // timeout= needs the time package, for its duration
	out := filepath.Join(p.Dir, output)
	ours := oldNames(out)
	for _, w := range works {
		for _, n := range generated(w) {
			ours[n] = true
		}
		timeouts = timeouts || w.Timeout > 0
	}
	if errs := loadErrors(p, out, ours, others); len(errs) > 0 {
		return nil, errs.Err()
	}
	if len(works) == 0 {
		return nil, b.errs.Err()
	}
	declared, imported := b.declared(p.Syntax)
	b.ignoredNames(p, out, declared, imported)
	b.checkTop(works, declared, imported)
	if len(b.errs) > 0 {
		return nil, b.errs.Err()
	}
	for _, w := range works {
		renameTypeParams(w, mapUnion(declared, imported))
	}
	model := &Package{Name: p.Name, Path: p.PkgPath, File: out}
	model.Imports = b.importNames(works, declared, timeouts)
	model.Locals = nameLocals(works, b.topTaken(works, declared, imported))
	for _, w := range works {
		b.localNames(w)
		model.Workers = append(model.Workers, w.Worker)
	}
	return model, nil
}

// declared maps every name declared in the package block to where it is
// declared, and every import name of the package's files to its import.
func (b *builder) declared(files []*ast.File) (decls, imports map[string]token.Position) {
	decls, imports = map[string]token.Position{}, map[string]token.Position{}
	scope := b.pkg.Scope()
	for _, n := range scope.Names() {
		decls[n] = b.fset.Position(scope.Lookup(n).Pos())
	}
	for _, f := range files {
		for _, spec := range f.Imports {
			name := ""
			if spec.Name != nil {
				name = spec.Name.Name
			} else if pn := b.info.PkgNameOf(spec); pn != nil {
				name = pn.Name()
			}
			if _, ok := imports[name]; !ok && usableAlias(name) && name != "" {
				imports[name] = b.fset.Position(spec.Pos())
			}
		}
	}
	return decls, imports
}

// loadErrors returns p's errors, less those poolgen's own output causes: errors
// in the file out, uses of names that out declared or will declare, and uses of
// names generated for another package loaded with p (others: import path →
// names). It also drops the compiler's errors that go list reports for p when
// it builds export data ("# path" and the compiler's output): they are about
// the files as on disk, out included, and go/packages' type check of p reports
// the rest. When p has syntax errors, they are all it returns.
func loadErrors(p *packages.Package, out string, ours map[string]bool, others map[string]map[string]bool) ErrorList {
	if errs := syntaxErrors(p, out); len(errs) > 0 {
		return errs
	}
	var errs ErrorList
	for _, e := range p.Errors {
		if e.Kind == packages.ListError && strings.HasPrefix(e.Msg, "# "+p.PkgPath+"\n") && p.TypesInfo != nil {
			continue
		}
		pos := parsePos(e.Pos)
		if pos.Filename != "" && !filepath.IsAbs(pos.Filename) && p.Dir != "" {
			pos.Filename = filepath.Join(p.Dir, pos.Filename)
		}
		name, undefined := strings.CutPrefix(e.Msg, "undefined: ")
		if pos.Filename == out || undefined && (ours[name] || generatedElsewhere(p, pos.Filename, name, others)) {
			continue
		}
		if e.Pos == "" || e.Pos == "-" {
			pos = token.Position{}
		}
		errs = append(errs, Error{Pos: pos, Msg: e.Msg})
	}
	return errs
}

// generatedElsewhere reports whether sel, a qualified name pkg.Name used in
// the file filename of p, names something generated for another package
// loaded with p: pkg is one of the file's import names.
func generatedElsewhere(p *packages.Package, filename, sel string, others map[string]map[string]bool) bool {
	qual, name, ok := strings.Cut(sel, ".")
	if !ok || others == nil || p.TypesInfo == nil {
		return false
	}
	for _, f := range p.Syntax {
		if p.Fset.Position(f.Package).Filename != filename {
			continue
		}
		for _, spec := range f.Imports {
			pn := p.TypesInfo.PkgNameOf(spec)
			if pn != nil && pn.Name() == qual && others[pn.Imported().Path()][name] {
				return true
			}
		}
	}
	return false
}

// oldNames returns the package-level names declared in out, when out is
// poolgen's output.
func oldNames(out string) map[string]bool {
	names := map[string]bool{}
	src, err := os.ReadFile(out)
	if err != nil || !IsGenerated(src) {
		return names
	}
	f, _ := parser.ParseFile(token.NewFileSet(), out, src, parser.SkipObjectResolution)
	if f == nil {
		return names
	}
	for _, id := range topLevel(f) {
		names[id.Name] = true
	}
	return names
}

// topLevel returns the identifiers that f declares in its package block.
func topLevel(f *ast.File) []*ast.Ident {
	var ids []*ast.Ident
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				ids = append(ids, d.Name)
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					ids = append(ids, s.Name)
				case *ast.ValueSpec:
					ids = append(ids, s.Names...)
				}
			}
		}
	}
	return ids
}

// ignoredNames adds to decls and imports the package-level names and import
// aliases of p's files that the build constraints exclude (but not out): the
// generated file has no constraint, so it must not clash with them under other
// tags. Files of another package (a //go:build ignore program) do not count.
func (b *builder) ignoredNames(p *packages.Package, out string, decls, imports map[string]token.Position) {
	for _, name := range p.IgnoredFiles {
		if name == out || !strings.HasSuffix(name, ".go") {
			continue
		}
		f, err := parser.ParseFile(b.fset, name, nil, parser.SkipObjectResolution)
		if err != nil || f.Name.Name != p.Name {
			continue
		}
		for _, id := range topLevel(f) {
			if _, ok := decls[id.Name]; !ok && id.Name != "_" && id.Name != "init" {
				decls[id.Name] = b.fset.Position(id.Pos())
			}
		}
		for _, spec := range f.Imports {
			if spec.Name == nil || !usableAlias(spec.Name.Name) {
				continue
			}
			if _, ok := imports[spec.Name.Name]; !ok {
				imports[spec.Name.Name] = b.fset.Position(spec.Pos())
			}
		}
	}
}

// IsGenerated reports whether src is poolgen's output: a line [Header] comes
// before the package clause, after nothing but blank lines and comments (a
// license header), which is Go's rule for generated files
// (https://go.dev/s/generatedcode) applied to poolgen's marker. A file cut
// short after the marker counts.
func IsGenerated(src []byte) bool {
	inBlock := false // in a /* */ comment
	for line := range bytes.Lines(src) {
		line = bytes.TrimRight(line, "\r\n")
		if inBlock {
			end := bytes.Index(line, []byte("*/"))
			if end < 0 {
				continue
			}
			inBlock, line = false, line[end+2:]
		}
		line = bytes.TrimLeft(line, " \t")
		switch {
		case string(line) == Header:
			return true
		case len(line) == 0 || bytes.HasPrefix(line, []byte("//")):
		case bytes.HasPrefix(line, []byte("/*")) && !bytes.Contains(line[2:], []byte("*/")):
			inBlock = true
		case bytes.HasPrefix(line, []byte("/*")) && bytes.HasSuffix(line, []byte("*/")):
		default:
			return false // the package clause, or other text
		}
	}
	return false
}

// mapKeys returns the keys of m.
func mapKeys[V any](m map[string]V) []string {
	list := make([]string, 0, len(m))
	for k := range m {
		list = append(list, k)
	}
	return list
}

// mapUnion returns the keys of a and b.
func mapUnion[V any](a, b map[string]V) map[string]bool {
	m := map[string]bool{}
	for k := range a {
		m[k] = true
	}
	for k := range b {
		m[k] = true
	}
	return m
}

// fixedNames maps the packages every generated file may import to their names.
func fixedNames() map[string]string {
	return map[string]string{RuntimePath: "pool", ContextPath: "context", IterPath: "iter", TimePath: "time"}
}

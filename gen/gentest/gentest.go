// Package gentest type-checks Go source in memory into the *packages.Package
// that gen.Build takes, so that tests and fuzzing can run gen and templates
// without the go command or a module on disk.
package gentest

import (
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/packages"
)

// Dir is the directory the packages seem to be in; nothing is read or written there.
const Dir = "/gentest"

// Check parses and type-checks files (name → source) as the package at path,
// and returns it as go/packages would load it, or the first error.
func Check(path string, files map[string]string) (*packages.Package, error) {
	fset := token.NewFileSet()
	p := &packages.Package{PkgPath: path, Dir: Dir, Fset: fset}
	names := slices.Sorted(func(yield func(string) bool) {
		for name := range files {
			if !yield(name) {
				return
			}
		}
	})
	for _, name := range names {
		f, err := parser.ParseFile(fset, filepath.Join(Dir, name), files[name], parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		p.Syntax = append(p.Syntax, f)
		p.GoFiles = append(p.GoFiles, filepath.Join(Dir, name))
	}
	p.TypesInfo = &types.Info{
		Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{},
		Uses: map[*ast.Ident]types.Object{}, Implicits: map[ast.Node]types.Object{},
		Instances: map[*ast.Ident]types.Instance{}, Scopes: map[ast.Node]*types.Scope{},
		Selections: map[*ast.SelectorExpr]*types.Selection{},
	}
	var err error
	p.Types, err = check(path, fset, p.Syntax, p.TypesInfo)
	if err != nil {
		return nil, err
	}
	p.Name = p.Types.Name()
	return p, nil
}

// check type-checks files as the package at path.
func check(path string, fset *token.FileSet, files []*ast.File, info *types.Info) (*types.Package, error) {
	var errs []error
	conf := types.Config{Importer: imports, Error: func(err error) { errs = append(errs, err) }}
	pkg, _ := conf.Check(path, fset, files, info)
	return pkg, errors.Join(errs...)
}

// imports imports the standard library from export data and the runtime
// package from its source in this checkout. It is safe for concurrent use.
var imports = &importerFunc{std: importer.Default(), done: map[string]*types.Package{}}

type importerFunc struct {
	mu   sync.Mutex
	std  types.Importer
	done map[string]*types.Package
}

// Import returns the package at path.
func (im *importerFunc) Import(path string) (*types.Package, error) {
	im.mu.Lock()
	defer im.mu.Unlock()
	return im.load(path)
}

// runtimePath is the import path of the runtime's packages, which are
// type-checked from source.
const runtimePath = "github.com/poolgen/poolgen/runtime/"

// load returns the package at path, with im.mu held.
func (im *importerFunc) load(path string) (*types.Package, error) {
	if p, ok := im.done[path]; ok {
		return p, nil
	}
	var p *types.Package
	var err error
	if rel, ok := strings.CutPrefix(path, runtimePath); ok {
		p, err = im.runtime(path, rel)
	} else {
		p, err = im.std.Import(path)
	}
	if err == nil {
		im.done[path] = p
	}
	return p, err
}

// runtime type-checks a package of the runtime from source: the one at rel
// under runtime/ in this checkout.
func (im *importerFunc) runtime(path, rel string) (*types.Package, error) {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "runtime", filepath.FromSlash(rel))
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		if ok, err := build.Default.MatchFile(dir, e.Name()); err != nil || !ok {
			continue // a file for another system, such as process_other.go
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	conf := types.Config{Importer: importerOf(im.load)}
	p, err := conf.Check(path, fset, files, nil)
	if err != nil {
		return nil, fmt.Errorf("type-checking the runtime: %w", err)
	}
	return p, nil
}

// importerOf makes a types.Importer of a function.
type importerOf func(path string) (*types.Package, error)

func (f importerOf) Import(path string) (*types.Package, error) { return f(path) }

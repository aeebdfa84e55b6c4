package gen

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/packages"
)

// A Config says how to load packages.
type Config struct {
	Dir    string   // the directory to resolve patterns in; "" for the current one
	Tags   string   // comma-separated build tags, as for go build -tags
	Output string   // the generated file's name in each package directory; "" for DefaultOutput
	Env    []string // the environment of the go command; nil for the current one
}

// Mode is what Load asks go/packages for: syntax and types of the matched
// packages only; their dependencies come from export data.
const Mode = packages.NeedName | packages.NeedFiles | packages.NeedSyntax |
	packages.NeedTypes | packages.NeedTypesInfo

// Load loads the packages matching patterns ("." when there are none), with one
// call to go/packages after a go list of their files. It ignores poolgen's own
// previous output, a file named cfg.Output that starts with [Header]: the go
// command sees it as a file its build constraint excludes (so that a stale
// package clause or a truncated file cannot stop the load), and were it seen,
// it would be read as its package clause alone, so that a stale or broken
// generated file never stops it from being regenerated. [Build] then drops the
// errors that ignoring it causes.
func Load(cfg Config, patterns ...string) ([]*packages.Package, error) {
	if len(patterns) == 0 {
		patterns = []string{"."}
	}
	output := cfg.Output
	if output == "" {
		output = DefaultOutput
	}
	pc := &packages.Config{
		Mode: Mode,
		Dir:  cfg.Dir,
		Env:  cfg.Env,
		ParseFile: func(fset *token.FileSet, filename string, src []byte) (*ast.File, error) {
			mode := parser.AllErrors | parser.ParseComments | parser.SkipObjectResolution
			if filepath.Base(filename) == output && IsGenerated(src) {
				mode = parser.PackageClauseOnly
			}
			return parser.ParseFile(fset, filename, src, mode)
		},
	}
	if cfg.Tags != "" {
		pc.BuildFlags = []string{"-tags=" + cfg.Tags}
	}
	overlay, err := hideOutputs(pc, output, patterns)
	if err != nil {
		return nil, err
	}
	pc.Overlay = overlay
	pkgs, err := packages.Load(pc, patterns...)
	if err != nil {
		return nil, err
	}
	if len(pkgs) == 0 {
		p := strings.Join(patterns, " ")
		return nil, ErrorList{{Msg: fmt.Sprintf("no packages match %s (go list %s may say why)", p, p)}}
	}
	return pkgs, nil
}

// hidden is what the go command sees of poolgen's previous output.
const hidden = "//go:build ignore\n\npackage ignore\n"

// hideOutputs lists the packages matching patterns and returns an overlay that
// hides from the go command the previous output of each: the file named output
// in its directory, when it starts with [Header].
func hideOutputs(pc *packages.Config, output string, patterns []string) (map[string][]byte, error) {
	list := *pc
	list.Mode = packages.NeedName | packages.NeedFiles
	list.ParseFile = nil
	pkgs, err := packages.Load(&list, patterns...)
	if err != nil {
		return nil, err
	}
	overlay := map[string][]byte{}
	for _, p := range pkgs {
		if p.Dir == "" {
			continue
		}
		path := filepath.Join(p.Dir, output)
		if src, err := os.ReadFile(path); err == nil && IsGenerated(src) {
			overlay[path] = []byte(hidden)
		}
	}
	return overlay, nil
}

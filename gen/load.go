package gen

import (
	"cmp"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
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
// previous output, a file named cfg.Output that [IsGenerated] accepts, so that a
// stale or broken generated file never stops it from being regenerated: the
// file is read as its package clause alone, and when that clause is missing
// or stale (a file cut short, a renamed package), the go command sees the file
// as one its build constraint excludes. [Build] then drops the errors that
// ignoring it causes.
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
		return nil, cmp.Or(outsideModule(cfg), err)
	}
	pc.Overlay = overlay
	pkgs, err := packages.Load(pc, patterns...)
	if err != nil {
		return nil, cmp.Or(outsideModule(cfg), err)
	}
	if listFailed(pkgs) {
		if err := outsideModule(cfg); err != nil {
			return nil, err
		}
	}
	if len(pkgs) == 0 {
		p := strings.Join(patterns, " ")
		return nil, ErrorList{{Msg: fmt.Sprintf("no packages match %s (go list %s may say why)", p, p)}}
	}
	return pkgs, nil
}

// outsideModule returns an error that says so when cfg.Dir is in no module,
// or nil. Load asks only once the go command has failed: its own message
// ("go.mod file not found", "does not contain main module") comes wrapped in
// go/packages' words and says nothing of what to do.
func outsideModule(cfg Config) error {
	cmd := exec.Command("go", "env", "GOMOD")
	cmd.Dir, cmd.Env = cfg.Dir, cfg.Env
	out, err := cmd.Output()
	if gomod := strings.TrimSpace(string(out)); err != nil || gomod != "" && gomod != os.DevNull {
		return nil
	}
	dir, err := filepath.Abs(cmp.Or(cfg.Dir, "."))
	if err != nil {
		return nil
	}
	return ErrorList{{Msg: fmt.Sprintf("no go.mod found in %s or its parents; run poolgen inside a module (go mod init)", dir)}}
}

// listFailed reports whether go list reported an error for one of pkgs.
func listFailed(pkgs []*packages.Package) bool {
	for _, p := range pkgs {
		for _, e := range p.Errors {
			if e.Kind == packages.ListError {
				return true
			}
		}
	}
	return false
}

// hidden is what the go command sees of poolgen's previous output.
const hidden = "//go:build ignore\n\npackage ignore\n"

// hideOutputs lists the packages matching patterns and returns an overlay that
// hides from the go command the previous output of each (the file named output
// in its directory, when [IsGenerated]) where it would stop the
// load: when it has no package clause (a file cut short) or another package
// clause than the package's other files (a renamed package). Other outputs
// stay visible, since hiding a file costs the go command its build cache for
// the package; the ParseFile hook of [Load] reads them as a package clause.
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
		src, err := os.ReadFile(path)
		if err != nil || !IsGenerated(src) {
			continue
		}
		if name := packageName(path, src); name == "" || name != otherPackageName(p.GoFiles, path, name) {
			overlay[path] = []byte(hidden)
		}
	}
	return overlay, nil
}

// packageName is the package clause of the file at path, with content src
// (read from disk when nil); "" when it has none.
func packageName(path string, src any) string {
	f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.PackageClauseOnly)
	if err != nil || f.Name == nil {
		return ""
	}
	return f.Name.Name
}

// otherPackageName is the package clause of the first of files, except out,
// that has one; or def when none has.
func otherPackageName(files []string, out, def string) string {
	for _, f := range files {
		if f == out {
			continue
		}
		if name := packageName(f, nil); name != "" {
			return name
		}
	}
	return def
}

// syntaxErrors returns the syntax errors of p's files, but not of out: as the
// go command reports them (the compiler's lines in the error of go list, which
// built p), or, when go list did not build p, go/parser's first error in each
// file. It returns nil when there are none. A type check of broken syntax only
// adds errors that follow from it, some without a position, so they are left
// out.
func syntaxErrors(p *packages.Package, out string) ErrorList {
	var parsed, compiled ErrorList
	seen := map[string]bool{}
	for _, e := range p.Errors {
		switch {
		case e.Kind == packages.ParseError:
			pos := parsePos(e.Pos)
			if pos.Filename != out && !seen[pos.Filename] {
				seen[pos.Filename] = true
				parsed = append(parsed, Error{Pos: pos, Msg: e.Msg})
			}
		case e.Kind == packages.ListError && strings.HasPrefix(e.Msg, "# "+p.PkgPath+"\n"):
			compiled = append(compiled, compilerErrors(p.Dir, e.Msg, out)...)
		}
	}
	if len(parsed) == 0 {
		return nil
	}
	if len(compiled) > 0 {
		return compiled.Sort()
	}
	return parsed.Sort()
}

// compilerErrors returns the errors in msg, the compiler's output for the
// package in dir ("# path", then "./p.go:10:9: syntax error: ..." a line),
// but not those in out. The compiler names a file relative to the go
// command's directory; every file of a package is in dir.
func compilerErrors(dir, msg, out string) ErrorList {
	var errs ErrorList
	for _, line := range strings.Split(msg, "\n")[1:] {
		at, text, ok := strings.Cut(line, ": ")
		pos := parsePos(at)
		if !ok || pos.Line == 0 || strings.HasPrefix(line, "\t") {
			continue // not an error's first line
		}
		pos.Filename = filepath.Join(dir, filepath.Base(pos.Filename))
		if pos.Filename != out {
			errs = append(errs, Error{Pos: pos, Msg: text})
		}
	}
	return errs
}

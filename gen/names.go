package gen

import (
	"go/token"
	"go/types"
	"strconv"
	"strings"
)

// A namer hands out identifiers that are not taken yet.
type namer map[string]bool

// fresh returns base, or base followed by the smallest number that makes it
// free, and takes it.
func (n namer) fresh(base string) string {
	name := base
	for i := 1; n[name]; i++ {
		name = base + strconv.Itoa(i)
	}
	n[name] = true
	return name
}

// with returns a copy of n that also holds names.
func (n namer) with(names ...string) namer {
	c := make(namer, len(n)+len(names))
	for k := range n {
		c[k] = true
	}
	for _, k := range names {
		c[k] = true
	}
	return c
}

// topNames sets the package-level names generated for w, which follow Go's
// initialisms (a worker fetchUrl gets submitFetchURL).
func topNames(w *work) {
	prefix := func(p string) string { return p + exportedName(w.base) }
	if w.exported {
		prefix = func(p string) string { return upperFirst(p) + exportedName(w.base) }
	}
	w.Names.Submit, w.Names.Map, w.Names.Stream = prefix("submit"), prefix("map"), prefix("stream")
	base := unexportedName(w.base)
	if w.exported {
		base = exportedName(w.base)
	}
	if len(w.Inputs()) > 1 {
		w.Names.Args = base + "Args"
	}
	if len(w.Results) > 1 {
		w.Names.Result = base + "Result"
	}
	if w.Process != "" {
		w.Names.Proc = unexportedName(w.base) + "Process"
	}
}

// generated lists the package-level names generated for w.
func generated(w *work) []string {
	names := []string{w.Names.Submit, w.Names.Map, w.Names.Stream}
	for _, n := range []string{w.Names.Args, w.Names.Result, w.Names.Proc} {
		if n != "" {
			names = append(names, n)
		}
	}
	return names
}

// checkTop reports generated names that the package already declares or
// imports, or that two workers both generate.
func (b *builder) checkTop(works []*work, declared, imported map[string]token.Position) {
	owner := map[string]*work{}
	for _, w := range works {
		var dups []string
		var other *work
		for _, n := range generated(w) {
			if pos, ok := declared[n]; ok {
				b.errs.errorf(w.pos, "%s, generated for %s, is already declared at %s", n, w.Title, relPos(pos))
			} else if pos, ok := imported[n]; ok {
				b.errs.errorf(w.pos, "%s, generated for %s, is already an import name at %s", n, w.Title, relPos(pos))
			} else if o := owner[n]; o != nil {
				dups, other = append(dups, n), o
			} else {
				owner[n] = w
			}
		}
		if other != nil {
			b.errs.errorf(w.pos, "%s generates %s, which %s (%s) generates too", w.Title, strings.Join(dups, ", "), other.Title, relPos(other.pos))
		}
	}
}

// reserved are names an import must not take: keywords, predeclared names, and
// err, which jennifer refuses as an import name.
func reserved() namer {
	n := namer{"err": true, "init": true}
	for _, name := range types.Universe.Names() {
		n[name] = true
	}
	for t := token.BREAK; t <= token.VAR; t++ {
		if t.IsKeyword() {
			n[t.String()] = true
		}
	}
	return n
}

// importNames gives each package the generated file refers to a name that no
// package-level name, generated name, type parameter or other import has.
func (b *builder) importNames(works []*work, declared map[string]token.Position, timeouts bool) []Import {
	taken := reserved()
	for n := range declared {
		taken[n] = true
	}
	paths := []string{RuntimePath, ContextPath, IterPath}
	if timeouts {
		paths = append(paths, TimePath)
	}
	for _, w := range works {
		for _, n := range generated(w) {
			taken[n] = true
		}
		for _, tp := range w.TypeParams {
			taken[tp.Name] = true
		}
		paths = append(paths, w.paths...)
	}
	var imports []Import
	seen := map[string]string{}
	for _, path := range paths {
		if _, ok := seen[path]; !ok {
			seen[path] = taken.fresh(b.names[path])
			imports = append(imports, Import{Path: path, Name: seen[path], Alias: seen[path] != b.pkgNames[path]})
		}
	}
	b.names = seen
	return imports
}

// localNames names the wrappers' parameters and locals of w so that none
// shadows an identifier the wrappers refer to, and none repeats.
func (b *builder) localNames(w *work) {
	taken := namer{"error": true, "nil": true, "struct": true}.with(w.Names.Args, w.Names.Result, w.Names.Proc)
	if w.Init != nil {
		taken[w.Init.Local] = true
	} else if w.Recv == nil {
		taken[w.Func] = true
	}
	for id := range w.idents {
		taken[id] = true
	}
	for _, path := range append([]string{RuntimePath, ContextPath, IterPath, TimePath}, w.paths...) {
		if n := b.names[path]; n != "" {
			taken[n] = true
		}
	}
	for _, tp := range w.TypeParams {
		taken[tp.Name] = true
	}
	params := namer{}
	name := func(p *Param, base string) {
		if p.Name == "" || p.Name == "_" || taken[p.Name] || params[p.Name] {
			p.Name = taken.with(mapKeys(params)...).fresh(base)
		}
		params[p.Name] = true
	}
	if w.Recv != nil {
		name(w.Recv, "recv")
	}
	for i := range w.Params {
		name(&w.Params[i], unexportedName(w.Params[i].Field))
	}
	if w.Init != nil { // the receiver is a local of the closures, beside the params they capture
		recv := Param{Name: w.Init.Recv}
		name(&recv, "recv")
		w.Init.Recv = recv.Name
	}
	local := taken.with(mapKeys(params)...)
	n := &w.Names
	n.Ctx, n.Pool, n.In, n.Opts = local.fresh("ctx"), local.fresh("p"), local.fresh("args"), local.fresh("opts")
	n.Item = local.fresh("arg")
	if n.Result != "" {
		for _, r := range w.Results {
			n.Vars = append(n.Vars, local.fresh(unexportedName(r.Field)))
		}
	}
	if n.Result != "" || w.Init != nil {
		n.Err = local.fresh("err")
	}
	if w.Init != nil {
		n.Zero = local.fresh("zero")
	}
}

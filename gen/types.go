package gen

import (
	"go/ast"
	"go/types"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

// mark delimits an import path in the text types.TypeString writes, so that typ
// can split the text into literal parts and qualified names.
const mark = "\x00"

// typ describes t as the worker's package would spell it, and records the
// packages and identifiers it refers to.
func (b *builder) typ(w *work, t types.Type) Type {
	s := types.TypeString(t, func(p *types.Package) string {
		if p == b.pkg {
			return ""
		}
		b.use(w, p)
		return mark + p.Path() + mark
	})
	pieces := strings.Split(s, mark)
	typ := textParts(nil, pieces[0], w.idents)
	for i := 1; i+1 < len(pieces); i += 2 {
		rest := strings.TrimPrefix(pieces[i+1], ".")
		n := identLen(rest)
		typ = append(typ, TypePart{Path: pieces[i], Name: rest[:n]})
		typ = textParts(typ, rest[n:], w.idents)
	}
	return typ
}

// use records that worker w refers to package p, and the name p has in the
// file being read: its import alias there, or else its package name.
func (b *builder) use(w *work, p *types.Package) {
	for _, path := range w.paths {
		if path == p.Path() {
			return
		}
	}
	w.paths = append(w.paths, p.Path())
	if _, ok := b.names[p.Path()]; !ok {
		b.names[p.Path()] = aliasIn(b.file, p)
		b.pkgNames[p.Path()] = p.Name()
	}
}

// aliasIn is the name file imports p as, when the import names it; else p's name.
func aliasIn(file *ast.File, p *types.Package) string {
	for _, spec := range file.Imports {
		if spec.Name != nil && spec.Path.Value == `"`+p.Path()+`"` && usableAlias(spec.Name.Name) {
			return spec.Name.Name
		}
	}
	return p.Name()
}

// usableAlias reports whether an import name is a usable alias: not blank or dot.
func usableAlias(name string) bool { return name != "_" && name != "." }

// textParts appends text to t, if any, and records its identifiers in idents.
func textParts(t Type, text string, idents map[string]bool) Type {
	if text == "" {
		return t
	}
	for i := 0; i < len(text); {
		if n := identLen(text[i:]); n > 0 {
			idents[text[i:i+n]] = true
			i += n
			continue
		}
		_, n := utf8.DecodeRuneInString(text[i:])
		i += n
	}
	return append(t, TypePart{Text: text})
}

// identLen is the length in bytes of the identifier (or number) s starts with.
func identLen(s string) int {
	n := 0
	for n < len(s) {
		r, size := utf8.DecodeRuneInString(s[n:])
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		n += size
	}
	return n
}

// baseName is a file's name without its directory.
func baseName(path string) string { return filepath.Base(path) }

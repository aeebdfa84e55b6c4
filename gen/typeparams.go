package gen

import "strings"

// renameTypeParams gives the type parameters of w's wrappers fresh names where
// the worker's own would not do: a blank one (func (s *Stack[_]) Len), which
// the wrappers must name to pass on, and one that would hide a name the
// wrappers refer to (func F[F any], func Resize[ResizeArgs any]). taken holds
// the package-level names in scope.
func renameTypeParams(w *work, taken map[string]bool) {
	hidden := map[string]bool{w.Names.Args: true, w.Names.Result: true, w.Names.Proc: true}
	if w.Recv == nil {
		hidden[w.Func] = true
	}
	delete(hidden, "")
	names := namer{}.with(mapKeys(taken)...).with(mapKeys(w.idents)...).with(mapKeys(hidden)...)
	for _, tp := range w.TypeParams {
		names[tp.Name] = true
	}
	renamed := map[string]string{}
	for i := range w.TypeParams {
		tp := &w.TypeParams[i]
		switch {
		case tp.Name == "_":
			tp.Name = names.fresh("T")
		case hidden[tp.Name]:
			old := tp.Name
			tp.Name = names.fresh(old)
			renamed[old] = tp.Name
		}
	}
	if w.Recv != nil {
		// A receiver's type parameters appear in its type alone.
		w.Recv.Type = renameBlank(w.Recv.Type, w.TypeParams)
	}
	if len(renamed) == 0 {
		return
	}
	for i := range w.TypeParams {
		w.TypeParams[i].Constraint = renameIdents(w.TypeParams[i].Constraint, renamed)
	}
	for _, list := range [][]Param{w.Params, w.Results} {
		for i := range list {
			list[i].Type = renameIdents(list[i].Type, renamed)
		}
	}
	for _, n := range renamed {
		w.idents[n] = true
	}
}

// renameBlank names the type arguments of a receiver type such as *Stack[_, K]
// after the type parameters, which may have been renamed.
func renameBlank(t Type, tps []TypeParam) Type {
	i := 0
	return mapIdents(t, func(id string) string {
		if i < len(tps) {
			id = tps[i].Name
			i++
		}
		return id
	}, true)
}

// renameIdents replaces the identifiers of t's literal parts that m maps,
// except after a dot (a field or method selection).
func renameIdents(t Type, m map[string]string) Type {
	return mapIdents(t, func(id string) string {
		if n, ok := m[id]; ok {
			return n
		}
		return id
	}, false)
}

// mapIdents rewrites the identifiers of t's literal parts with f; with
// typeArgs, only those between the brackets of a receiver's type arguments.
func mapIdents(t Type, f func(string) string, typeArgs bool) Type {
	out := make(Type, len(t))
	depth := 0
	for i, part := range t {
		out[i] = part
		if part.Path != "" {
			continue
		}
		var b strings.Builder
		s := part.Text
		for j := 0; j < len(s); {
			n := identLen(s[j:])
			switch {
			case n > 0 && (j == 0 || s[j-1] != '.') && (!typeArgs || depth == 1):
				b.WriteString(f(s[j : j+n]))
			case n > 0:
				b.WriteString(s[j : j+n])
			default:
				n = 1
				switch s[j] {
				case '[':
					depth++
				case ']':
					depth--
				}
				b.WriteByte(s[j])
			}
			j += n
		}
		out[i].Text = b.String()
	}
	return out
}

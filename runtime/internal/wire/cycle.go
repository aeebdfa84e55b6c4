package wire

import (
	"encoding"
	"encoding/gob"
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// encoding/gob follows pointers without remembering them: a value that
// points back into itself makes it recurse until the goroutine's stack
// overflows, a fatal error that no recover catches. checkCycles refuses such
// a value first. Most types cannot hold a cycle at all (no interface, no
// type that contains itself), and cost one cached lookup; a value of a type
// that can is walked once, about as gob walks it.

// checkCycles returns an error naming the path to the first pointer, map or
// slice that v reaches again from inside itself.
func checkCycles(v any) error {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || !mayCycle(rv.Type()) {
		return nil
	}
	w := cycleWalk{onPath: map[cycleKey]bool{}, done: map[cycleKey]bool{}}
	if w.walk(rv) {
		return fmt.Errorf("pool: the value holds a cycle (at %s): encoding/gob cannot carry it", strings.Join(w.path, ""))
	}
	return nil
}

// cycleKey is a pointer, map or slice that a walk has reached: its address,
// length and type (a struct and its first field share an address, slices of
// one array may too).
type cycleKey struct {
	addr uintptr
	len  int
	t    reflect.Type
}

// cycleWalk is a depth-first walk of a value: the pointers on the path from
// the root, and those below which no cycle was found.
type cycleWalk struct {
	onPath, done map[cycleKey]bool
	path         []string // set when a cycle is found: the steps to it, outermost first
}

// walk reports whether v reaches a cycle; then w.path leads to it.
func (w *cycleWalk) walk(v reflect.Value) bool {
	if !mayCycle(v.Type()) {
		return false
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice:
		if v.IsNil() {
			return false
		}
		k := cycleKey{v.Pointer(), 0, v.Type()}
		if v.Kind() == reflect.Slice {
			k.len = v.Len()
		}
		if w.done[k] {
			return false
		}
		if w.onPath[k] {
			return true
		}
		w.onPath[k] = true
		found := w.children(v)
		delete(w.onPath, k)
		w.done[k] = !found
		return found
	}
	return w.children(v)
}

// children walks what v holds.
func (w *cycleWalk) children(v reflect.Value) bool {
	step := func(name string, c reflect.Value) bool {
		if w.walk(c) {
			w.path = append([]string{name}, w.path...)
			return true
		}
		return false
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && step("", v.Elem())
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if step(fmt.Sprintf("[%d]", i), v.Index(i)) {
				return true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if step(fmt.Sprintf("[%v]", it.Key()), it.Value()) {
				return true
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range v.NumField() {
			if f := t.Field(i); f.IsExported() && step("."+f.Name, v.Field(i)) {
				return true
			}
		}
	}
	return false
}

// cycleTypes caches mayCycle's answer per type.
var cycleTypes sync.Map // reflect.Type → bool

// mayCycle reports whether a value of type t can hold a cycle that gob would
// follow: t reaches an interface, or a type that reaches itself, through
// what gob encodes (exported fields, elements; not what a type encodes itself).
func mayCycle(t reflect.Type) bool {
	if v, ok := cycleTypes.Load(t); ok {
		return v.(bool)
	}
	may := typeMayCycle(t, map[reflect.Type]bool{})
	cycleTypes.Store(t, may)
	return may
}

// typeMayCycle is mayCycle without the cache; onPath holds the types that
// lead to t.
func typeMayCycle(t reflect.Type, onPath map[reflect.Type]bool) bool {
	if onPath[t] {
		return true
	}
	if encodesItself(t) {
		return false
	}
	onPath[t] = true
	defer delete(onPath, t)
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return typeMayCycle(t.Elem(), onPath)
	case reflect.Map:
		return typeMayCycle(t.Key(), onPath) || typeMayCycle(t.Elem(), onPath)
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && typeMayCycle(f.Type, onPath) {
				return true
			}
		}
	}
	return false
}

var (
	gobEncoderType    = reflect.TypeFor[gob.GobEncoder]()
	binaryMarshalType = reflect.TypeFor[encoding.BinaryMarshaler]()
	textMarshalType   = reflect.TypeFor[encoding.TextMarshaler]()
)

// encodesItself reports whether gob hands a value of type t (or *t) to its
// own method instead of walking it.
func encodesItself(t reflect.Type) bool {
	for _, m := range []reflect.Type{gobEncoderType, binaryMarshalType, textMarshalType} {
		if t.Implements(m) || t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(m) {
			return true
		}
	}
	return false
}

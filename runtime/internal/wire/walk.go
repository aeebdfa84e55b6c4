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
// overflows, a fatal error that no recover catches. A scan refuses such a
// value first. The same walk collects the dynamic types of the value's
// interfaces, so that the encoder can describe them in its header before it
// encodes the value (see encoder.presend). Most types hold no interface and
// cannot reach themselves, and cost one cached lookup; a value of a type that
// can is walked once, about as gob walks it.

// scan is a depth-first walk of a value.
type scan struct {
	onPath, done map[cycleKey]bool // the pointers on the path from the root; those below which no cycle was found
	path         []string          // set when a cycle is found: the steps to it, outermost first
	dyn          []reflect.Value   // one value of each dynamic type found in an interface, innermost first
}

// cycleKey is a pointer, map or slice that a walk has reached: its address,
// length and type (a struct and its first field share an address, slices of
// one array may too).
type cycleKey struct {
	addr uintptr
	len  int
	t    reflect.Type
}

// scanValue walks rv. It returns an error naming the path to the first
// pointer, map or slice that rv reaches again from inside itself, or else one
// value of each dynamic type held in rv's interfaces, innermost first.
func scanValue(rv reflect.Value) ([]reflect.Value, error) {
	var w scan
	if w.walk(rv) {
		return nil, fmt.Errorf("wire: the value holds a cycle (at %s): encoding/gob cannot carry it", strings.Join(w.path, ""))
	}
	return w.dyn, nil
}

// walk reports whether v reaches a cycle; then w.path leads to it.
func (w *scan) walk(v reflect.Value) bool {
	if !needsScan(v.Type()) {
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
		if w.onPath == nil { // allocated on the first pointer: many values have none
			w.onPath, w.done = map[cycleKey]bool{}, map[cycleKey]bool{}
		}
		w.onPath[k] = true
		found := w.children(v)
		delete(w.onPath, k)
		w.done[k] = !found
		return found
	}
	return w.children(v)
}

// children walks what v holds. The path to a cycle is built on the way
// back, so that a walk that finds none formats no step.
func (w *scan) children(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer:
		return !v.IsNil() && w.walk(v.Elem())
	case reflect.Interface:
		return !v.IsNil() && w.iface(v.Elem())
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if w.walk(v.Index(i)) {
				return w.at(fmt.Sprintf("[%d]", i))
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if w.walk(it.Key()) {
				return w.at(fmt.Sprintf("[key %v]", it.Key()))
			}
			if w.walk(it.Value()) {
				return w.at(fmt.Sprintf("[%v]", it.Key()))
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range v.NumField() {
			if f := t.Field(i); f.IsExported() && w.walk(v.Field(i)) {
				return w.at("." + f.Name)
			}
		}
	}
	return false
}

// at puts step in front of the path to a cycle, and reports true.
func (w *scan) at(step string) bool {
	w.path = append([]string{step}, w.path...)
	return true
}

// iface walks elem, the value in an interface, and records its type after
// the types inside it.
func (w *scan) iface(elem reflect.Value) bool {
	if w.walk(elem) {
		return true
	}
	t := elem.Type()
	for _, d := range w.dyn { // a value holds few dynamic types
		if d.Type() == t {
			return false
		}
	}
	if w.dyn == nil {
		w.dyn = make([]reflect.Value, 0, 4)
	}
	w.dyn = append(w.dyn, elem)
	return false
}

// scanTypes caches needsScan's answer per type.
var scanTypes sync.Map // reflect.Type → bool

// needsScan reports whether a value of type t must be scanned: t reaches an
// interface, or a type that reaches itself, through what gob encodes
// (exported fields, elements; not what a type encodes itself).
func needsScan(t reflect.Type) bool {
	if v, ok := scanTypes.Load(t); ok {
		return v.(bool)
	}
	may := typeNeedsScan(t, map[reflect.Type]bool{})
	scanTypes.Store(t, may)
	return may
}

// typeNeedsScan is needsScan without the cache; onPath holds the types that
// lead to t.
func typeNeedsScan(t reflect.Type, onPath map[reflect.Type]bool) bool {
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
		return typeNeedsScan(t.Elem(), onPath)
	case reflect.Map:
		return typeNeedsScan(t.Key(), onPath) || typeNeedsScan(t.Elem(), onPath)
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && typeNeedsScan(f.Type, onPath) {
				return true
			}
		}
	}
	return false
}

var (
	gobEncoderType    = reflect.TypeFor[gob.GobEncoder]()
	binaryMarshalType = reflect.TypeFor[encoding.BinaryMarshaler]()
)

// encodesItself reports whether gob hands a value of type t to its own
// method instead of walking it: t, or *t, implements GobEncoder or
// BinaryMarshaler. (gob does not use TextMarshaler: it walks such a type.)
// A pointer type whose element encodes itself is handled by the caller's
// walk down the pointer.
func encodesItself(t reflect.Type) bool {
	for _, m := range []reflect.Type{gobEncoderType, binaryMarshalType} {
		if t.Implements(m) || t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(m) {
			return true
		}
	}
	return false
}

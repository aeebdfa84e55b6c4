package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sync"
)

// The flags in the first uvarint of an encoded value, below the header's
// length.
const (
	flagPlain   = 1 // no gob: a plain value follows (see plain.go)
	flagTangled = 2 // the value is readable with its own header only
)

// A plain value, a bool, number, string or []byte that does not encode
// itself, skips gob: such values are what most calls carry (a path, a URL,
// an index), and gob costs a few hundred nanoseconds a value where this
// costs tens.

// plainTypes caches isPlain's answer per type.
var plainTypes sync.Map // reflect.Type → bool

// isPlain reports whether values of t travel as plain values.
func isPlain(t reflect.Type) bool {
	if v, ok := plainTypes.Load(t); ok {
		return v.(bool)
	}
	plain := false
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.String:
		plain = true
	case reflect.Slice:
		plain = t.Elem().Kind() == reflect.Uint8
	}
	plain = plain && !encodesItself(t)
	plainTypes.Store(t, plain)
	return plain
}

// appendPlain appends rv, or what the pointers rv holds lead to, as a plain
// value, and reports whether it could.
func appendPlain(dst []byte, rv reflect.Value) ([]byte, bool) {
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return dst, false
		}
		rv = rv.Elem()
	}
	if !isPlain(rv.Type()) {
		return dst, false
	}
	k := rv.Kind()
	dst = append(dst, flagPlain, byte(k))
	switch {
	case k == reflect.Bool:
		dst = append(dst, byte(b2u(rv.Bool())))
	case rv.CanInt():
		dst = binary.AppendVarint(dst, rv.Int())
	case rv.CanUint():
		dst = binary.AppendUvarint(dst, rv.Uint())
	case rv.CanFloat():
		dst = binary.AppendUvarint(dst, math.Float64bits(rv.Float()))
	case k == reflect.String:
		dst = appendBytes(dst, rv.String())
	default: // []byte
		dst = appendBytes(dst, rv.Bytes())
	}
	return dst, true
}

var errPlainShort = errors.New("wire: malformed plain value")

// decodePlain decodes a plain value (data after its first uvarint) into dst,
// through the pointers dst holds, allocating them when nil.
func decodePlain(data []byte, dst reflect.Value) error {
	for dst.Kind() == reflect.Pointer {
		if dst.IsNil() {
			dst.Set(reflect.New(dst.Type().Elem()))
		}
		dst = dst.Elem()
	}
	if len(data) < 1 {
		return errPlainShort
	}
	src, p := reflect.Kind(data[0]), data[1:]
	if !isPlain(dst.Type()) || plainClass(src) != plainClass(dst.Kind()) || plainClass(src) == 0 {
		return fmt.Errorf("wire: cannot decode a %v into a %v", src, dst.Type())
	}
	switch {
	case src == reflect.Bool:
		if len(p) != 1 {
			return errPlainShort
		}
		dst.SetBool(p[0] != 0)
	case dst.CanInt():
		v, n := binary.Varint(p)
		if n <= 0 || n != len(p) || dst.OverflowInt(v) {
			return fmt.Errorf("wire: %v does not hold %d bytes of a %v", dst.Type(), len(p), src)
		}
		dst.SetInt(v)
	case dst.CanUint():
		v, n := binary.Uvarint(p)
		if n <= 0 || n != len(p) || dst.OverflowUint(v) {
			return fmt.Errorf("wire: %v does not hold %d bytes of a %v", dst.Type(), len(p), src)
		}
		dst.SetUint(v)
	case dst.CanFloat():
		v, n := binary.Uvarint(p)
		if n <= 0 || n != len(p) {
			return errPlainShort
		}
		dst.SetFloat(math.Float64frombits(v))
	default: // a string or []byte
		l, n := binary.Uvarint(p)
		if n <= 0 || l != uint64(len(p)-n) {
			return errPlainShort
		}
		if src == reflect.String {
			dst.SetString(string(p[n:]))
		} else if l > 0 {
			dst.SetBytes(append([]byte(nil), p[n:]...))
		} else {
			dst.SetZero()
		}
	}
	return nil
}

// plainClass groups the kinds a plain value may be decoded across, as gob
// does: any int into any int that holds it, and so on; 0 for none.
func plainClass(k reflect.Kind) int {
	switch k {
	case reflect.Bool:
		return 1
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return 2
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return 3
	case reflect.Float32, reflect.Float64:
		return 4
	case reflect.String:
		return 5
	case reflect.Slice:
		return 6
	}
	return 0
}

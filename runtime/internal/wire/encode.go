package wire

import (
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"sync"
)

// AppendValue appends a self-contained encoding of v to dst: DecodeValue
// decodes it in any process of the same program, whatever it decoded before.
// The type sent is v's dynamic type; to send a value of an interface type
// (so that it decodes into that interface type), pass a pointer to it.
// gob's rules apply: pointers are followed, unexported fields left out, and
// the dynamic types held in interfaces must be registered with gob.Register.
// A nil pointer and a struct without fields encode fine; untyped nil does not.
//
// A value that holds a cycle is refused before encoding. A panic in a
// GobEncode or MarshalBinary method is returned as a *Panic. On error dst is
// returned unchanged. AppendValue is safe for concurrent use; see the package
// comment for its cost.
func AppendValue(dst []byte, v any) ([]byte, error) {
	if v == nil {
		return dst, errors.New("wire: cannot encode untyped nil")
	}
	rv := reflect.ValueOf(v)
	if out, ok := appendPlain(dst, rv); ok {
		return out, nil
	}
	var dyn []reflect.Value
	if needsScan(rv.Type()) {
		var err error
		if dyn, err = scanValue(rv); err != nil {
			return dst, err
		}
	}
	t := encTypeFor(rv.Type())
	e := t.pool.Get().(*encoder)
	tangled, err := e.encode(rv, dyn)
	if err != nil {
		return dst, err // e is dropped: its gob stream may be half-written
	}
	dst = binary.AppendUvarint(dst, uint64(len(e.w.header))<<2|b2u(tangled)<<1)
	dst = append(dst, e.w.header...)
	dst = append(dst, e.w.value...)
	if !tangled && len(e.w.header) <= maxKeep && cap(e.w.value) <= maxKeep {
		t.pool.Put(e)
	}
	return dst, nil
}

// maxKeep bounds the header and the buffer of an encoder (or decoder) kept
// for reuse: one that grew past it is dropped, so that one huge value does
// not pin its buffers, and headers stay short.
const maxKeep = 64 << 10

// encType is what AppendValue keeps per Go type.
type encType struct {
	env  reflect.Type // struct{ V T }
	pool sync.Pool    // of *encoder
}

// encTypes maps a reflect.Type to its *encType.
var encTypes sync.Map

// encTypeFor returns the *encType of t.
func encTypeFor(t reflect.Type) *encType {
	if et, ok := encTypes.Load(t); ok {
		return et.(*encType)
	}
	et := &encType{env: envelopeOf(t)}
	et.pool.New = func() any { return newEncoder(et.env) }
	actual, _ := encTypes.LoadOrStore(t, et)
	return actual.(*encType)
}

// envelopeOf returns struct{ V t }. Every value travels as the field of such
// a struct: gob cannot send a nil pointer or a struct without fields at top
// level, but can as a field.
func envelopeOf(t reflect.Type) reflect.Type {
	return reflect.StructOf([]reflect.StructField{{Name: "V", Type: t}})
}

// An encoder is one long-lived gob stream, cut into self-contained values:
// the type definitions it ever wrote (its header) go in front of each value.
type encoder struct {
	enc  *gob.Encoder
	w    splitWriter
	env  reflect.Value         // an addressable struct{ V T }, reused
	sent map[reflect.Type]bool // dynamic types described in the header
}

func newEncoder(env reflect.Type) *encoder {
	e := &encoder{env: reflect.New(env).Elem(), sent: map[reflect.Type]bool{}}
	e.enc = gob.NewEncoder(&e.w)
	return e
}

// encode encodes rv, whose interfaces hold the dynamic types of dyn, into
// e.w.value. tangled says that gob wrote type definitions inside the value:
// then the value is self-contained only with its own header, and e must not
// be reused.
func (e *encoder) encode(rv reflect.Value, dyn []reflect.Value) (tangled bool, err error) {
	defer catchPanic(&err)
	if err := e.presend(dyn); err != nil {
		return false, err
	}
	e.w.begin(false)
	e.env.Field(0).Set(rv)
	err = e.enc.EncodeValue(e.env)
	e.env.SetZero() // do not keep the caller's value alive
	if err != nil {
		return false, err
	}
	return e.w.tangled, nil
}

// presend describes the dynamic types of dyn that e has not described yet,
// in order (innermost first), by encoding a value of each at top level: gob
// writes a type's definitions as separate messages there, but inside the
// value that holds an interface when it first meets the type in one. The
// value messages of these encodings are dropped.
func (e *encoder) presend(dyn []reflect.Value) error {
	for _, d := range dyn {
		if e.sent[d.Type()] {
			continue
		}
		e.w.begin(true)
		if err := e.enc.EncodeValue(presendValue(d)); err != nil {
			return err
		}
		if e.w.tangled {
			return fmt.Errorf("wire: describing %s: gob wrote a type inside a value", d.Type())
		}
		e.sent[d.Type()] = true
	}
	return nil
}

// presendValue returns a value of d's type that gob describes as it would d:
// a copy of d for a type that encodes itself (the type description depends
// on the exact type; gob needs an addressable value when the method is on
// the pointer), else the zero value of the type d points to (which holds no
// interface value, so needs no nested description, and costs nothing).
func presendValue(d reflect.Value) reflect.Value {
	t := d.Type()
	for u := t; ; u = u.Elem() {
		if encodesItself(u) {
			c := reflect.New(t).Elem()
			c.Set(d)
			return c
		}
		if u.Kind() != reflect.Pointer {
			return reflect.New(u).Elem()
		}
	}
}

// splitWriter receives what a gob.Encoder writes: one Write per message, a
// message being a uint length, an int type id, and a body. Type definitions
// have negative ids: those written before the value's message are appended
// to the header; the value's message is kept in value (or, while presending,
// dropped). A write after the value's message means that gob wrote the
// value in several pieces with definitions between them: tangled.
type splitWriter struct {
	header  []byte
	value   []byte
	drop    bool // presending: the value's message is not wanted
	inValue bool // the value's message was written
	tangled bool
}

// begin prepares w for the messages of one Encode.
func (w *splitWriter) begin(drop bool) {
	w.value, w.drop, w.inValue, w.tangled = w.value[:0], drop, false, false
}

// Write takes one message of gob's.
func (w *splitWriter) Write(p []byte) (int, error) {
	switch {
	case w.inValue:
		w.tangled = true
		w.value = append(w.value, p...)
	case gobMessageID(p) < 0:
		w.header = append(w.header, p...)
	default:
		w.inValue = true
		if !w.drop {
			w.value = append(w.value, p...)
		}
	}
	return len(p), nil
}

// gobMessageID returns the type id of the gob message that starts p, or 0 if
// p does not start with a well-formed one.
func gobMessageID(p []byte) int64 {
	_, n := gobUint(p)
	if n == 0 {
		return 0
	}
	u, m := gobUint(p[n:])
	if m == 0 {
		return 0
	}
	if u&1 != 0 {
		return ^int64(u >> 1)
	}
	return int64(u >> 1)
}

// gobUint decodes a gob unsigned integer from the start of p: one byte
// under 0x80, else the negated count of big-endian bytes that follow. It
// returns the value and the bytes read, 0 when p is too short or malformed.
func gobUint(p []byte) (uint64, int) {
	if len(p) == 0 {
		return 0, 0
	}
	if p[0] < 0x80 {
		return uint64(p[0]), 1
	}
	n := -int(int8(p[0]))
	if n > 8 || len(p) < 1+n {
		return 0, 0
	}
	var u uint64
	for _, b := range p[1 : 1+n] {
		u = u<<8 | uint64(b)
	}
	return u, 1 + n
}

// A Panic is a panic in a value's GobEncode, GobDecode, MarshalBinary or
// UnmarshalBinary method, which encoding/gob lets through: AppendValue and
// DecodeValue return it as an error instead.
type Panic struct {
	Value any    // what the method panicked with
	Stack []byte // the stack of the panicking goroutine
}

// Error returns "panic: " and the panic value.
func (p *Panic) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

// catchPanic, deferred, turns a panic into a *Panic in *err.
func catchPanic(err *error) {
	if v := recover(); v != nil {
		*err = &Panic{Value: v, Stack: debug.Stack()}
	}
}

// b2u is 1 for true and 0 for false.
func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

package wire

import (
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

type leaf struct{ S string }
type leaf2 struct{ N int }
type inner struct {
	A int
	I any
}
type holder struct{ V any }
type box struct{ I any } // registered as a pointer
type empty struct{}

// stamp encodes itself: gob walks none of its fields.
type stamp struct{ unix int64 }

func (s stamp) GobEncode() ([]byte, error) { return binary.AppendVarint(nil, s.unix), nil }
func (s *stamp) GobDecode(b []byte) error {
	v, n := binary.Varint(b)
	if n <= 0 {
		return errors.New("bad stamp")
	}
	s.unix = v
	return nil
}

// ptrStamp encodes itself through its pointer only.
type ptrStamp struct{ n byte }

func (s *ptrStamp) GobEncode() ([]byte, error) { return []byte{s.n}, nil }
func (s *ptrStamp) GobDecode(b []byte) error {
	if len(b) != 1 {
		return errors.New("bad ptrStamp")
	}
	s.n = b[0]
	return nil
}

func init() {
	gob.Register(leaf{})
	gob.Register(&leaf2{})
	gob.Register(inner{})
	gob.Register(holder{})
	gob.Register(stamp{})
	gob.Register(map[string]any{})
	gob.Register(benchValue{})
	gob.Register([]any{})
	gob.Register(&box{})
	gob.Register(empty{})
	gob.Register(&ptrStamp{})
}

// roundTrip encodes v, then decodes it into a new value of v's type twice:
// with an empty decoder cache, as a process that never saw this header, and
// with a primed decoder.
func roundTrip(t *testing.T, v any) {
	t.Helper()
	data, err := AppendValue(nil, v)
	if err != nil {
		t.Fatalf("AppendValue(%#v): %v", v, err)
	}
	for _, cache := range []string{"cold", "warm"} {
		if cache == "cold" {
			decoders.reset()
		}
		out := reflect.New(reflect.TypeOf(v))
		if err := DecodeValue(data, out.Interface()); err != nil {
			t.Fatalf("DecodeValue of %#v (%s cache): %v", v, cache, err)
		}
		if diff := cmp.Diff(v, out.Elem().Interface(), cmpopts.EquateEmpty(), cmp.AllowUnexported(stamp{}, ptrStamp{})); diff != "" {
			t.Errorf("%T (%s cache): decoded value differs (-sent +got):\n%s", v, cache, diff)
		}
	}
}

func TestValueRoundTrips(t *testing.T) {
	seven := 7
	var anyVal any = leaf{"in an interface"}
	shared := &box{I: holder{V: leaf{"shared"}}}
	for _, v := range []any{
		0, 42, -1, "", "text", true, 3.5, []byte("raw"),
		(*int)(nil), &seven, struct{}{}, []struct{}{{}, {}},
		map[string]int{"a": 1, "b": 2}, []int{1, 2, 3}, [2]string{"x", "y"},
		inner{A: 1, I: leaf{"x"}}, inner{A: 2}, &inner{A: 3, I: &leaf2{N: 4}},
		holder{V: inner{A: 5, I: holder{V: leaf{"nested"}}}},
		holder{V: map[string]any{"k": leaf{"v"}, "j": 9}},
		&anyVal, stamp{unix: 1733011200}, holder{V: stamp{unix: -5}},
		[]any{1, "two", leaf{"three"}, &leaf2{4}},
		holder{V: []any{leaf{"in a slice in an interface"}, 2, holder{V: stamp{unix: 8}}}},
		struct {
			A *box
			B any
		}{shared, shared}, // one pointer, reached outside and inside an interface
		map[any]int{leaf{"key"}: 1, 2: 3},
		holder{V: &ptrStamp{n: 7}}, []ptrStamp{{1}, {2}}, holder{V: empty{}}, holder{V: []int{}},
	} {
		roundTrip(t, v)
	}
}

func TestUntypedNilIsRefused(t *testing.T) {
	if _, err := AppendValue(nil, nil); err == nil {
		t.Error("AppendValue(nil) = nil error; want one")
	}
}

// headerLen returns the length of data's header and whether data is tangled.
func headerLen(t *testing.T, data []byte) (int, bool) {
	t.Helper()
	hv, n := binary.Uvarint(data)
	if n <= 0 {
		t.Fatalf("no header length in % x", data)
	}
	return int(hv >> 2), hv&flagTangled != 0
}

func TestValuesAreSelfContained(t *testing.T) {
	sent := []holder{
		{V: leaf{"first"}},
		{V: inner{A: 1, I: &leaf2{N: 2}}}, // two new types, one inside the other
		{V: 3},
		{V: leaf{"again"}},
		{V: inner{A: 4, I: inner{A: 5, I: leaf{"deep"}}}},
	}
	encTypes.Delete(reflect.TypeFor[holder]()) // start from new encoders, with empty headers
	var msgs [][]byte
	for i, v := range sent {
		data, err := AppendValue(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		if _, tangled := headerLen(t, data); tangled {
			t.Errorf("message %d is tangled: its interface types were not described in the header first", i)
		}
		msgs = append(msgs, data)
	}
	first, _ := headerLen(t, msgs[0])
	if second, _ := headerLen(t, msgs[1]); second <= first {
		t.Errorf("header of message 1 is %d bytes, of message 0 %d; want it grown by the new types", second, first)
	}
	for _, order := range [][]int{{4, 3, 2, 1, 0}, {1, 3, 0, 4, 2}} {
		for _, fresh := range []bool{true, false} {
			for _, i := range order {
				if fresh {
					decoders.reset() // as a process that saw none of the others
				}
				var got holder
				if err := DecodeValue(msgs[i], &got); err != nil {
					t.Fatalf("message %d (order %v, fresh cache %v): %v", i, order, fresh, err)
				}
				if diff := cmp.Diff(sent[i], got); diff != "" {
					t.Errorf("message %d (order %v, fresh cache %v): (-sent +got):\n%s", i, order, fresh, diff)
				}
			}
		}
	}
}

// TestTangledValueDecodesAlone encodes without describing the interface
// types first, as gob would on its own: the value is marked tangled, decodes
// with a fresh decoder, and its header is not cached.
func TestTangledValueDecodesAlone(t *testing.T) {
	v := holder{V: inner{A: 1, I: leaf{"x"}}}
	e := newEncoder(envelopeOf(reflect.TypeOf(v)))
	tangled, err := e.encode(reflect.ValueOf(v), nil)
	if err != nil || !tangled {
		t.Fatalf("encode without presend: tangled %v, err %v; want a tangled value", tangled, err)
	}
	data := binary.AppendUvarint(nil, uint64(len(e.w.header))<<2|flagTangled)
	data = append(append(data, e.w.header...), e.w.value...)
	decoders.reset()
	var got holder
	if err := DecodeValue(data, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(v, got); diff != "" {
		t.Errorf("(-sent +got):\n%s", diff)
	}
	if n := len(decoders.m); n != 0 {
		t.Errorf("%d headers cached after a tangled value; want 0", n)
	}
}

func TestDecodeValueRefusesBadInput(t *testing.T) {
	good, err := AppendValue(nil, leaf{"x"})
	if err != nil {
		t.Fatal(err)
	}
	var l leaf
	var n int
	for _, c := range []struct {
		name string
		data []byte
		v    any
	}{
		{"not a pointer", good, l},
		{"nil pointer", good, (*leaf)(nil)},
		{"empty", nil, &l},
		{"header past the end", []byte{0x7e, 1, 2}, &l},
		{"truncated", good[:len(good)-2], &l},
		{"trailing bytes", append(append([]byte{}, good...), 0), &l},
		{"wrong type", good, &n},
	} {
		decoders.reset()
		if err := DecodeValue(c.data, c.v); err == nil {
			t.Errorf("%s: DecodeValue = nil error; want one", c.name)
		}
	}
}

// boom panics when it is encoded or decoded, as its flag says.
type boom struct{ EncPanic, DecPanic bool }

func (b boom) GobEncode() ([]byte, error) {
	if b.EncPanic {
		panic("boom in GobEncode")
	}
	return []byte{b2b(b.DecPanic)}, nil
}

func (b *boom) GobDecode(p []byte) error {
	if len(p) == 1 && p[0] == 1 {
		panic("boom in GobDecode")
	}
	return nil
}

func b2b(v bool) byte { return byte(b2u(v)) }

func TestPanicsInGobMethodsBecomePanicErrors(t *testing.T) {
	_, err := AppendValue(nil, boom{EncPanic: true})
	var p *Panic
	if !errors.As(err, &p) || p.Value != "boom in GobEncode" || len(p.Stack) == 0 {
		t.Fatalf("AppendValue of a panicking GobEncode: err = %v; want a *Panic with the value and stack", err)
	}
	if got := p.Error(); got != "panic: boom in GobEncode" {
		t.Errorf("Error() = %q", got)
	}
	data, err := AppendValue(nil, boom{DecPanic: true})
	if err != nil {
		t.Fatalf("AppendValue after a panic: %v; the broken encoder must have been dropped", err)
	}
	var out boom
	if err := DecodeValue(data, &out); !errors.As(err, &p) || p.Value != "boom in GobDecode" {
		t.Fatalf("DecodeValue of a panicking GobDecode: err = %v; want a *Panic", err)
	}
	data, _ = AppendValue(nil, boom{})
	if err := DecodeValue(data, &out); err != nil {
		t.Errorf("DecodeValue after a panic: %v; the broken decoder must have been dropped", err)
	}
}

func TestDecoderCacheIsBounded(t *testing.T) {
	decoders.reset()
	defer decoders.reset()
	for i := range maxHeaders + 10 {
		typ := reflect.StructOf([]reflect.StructField{{Name: fmt.Sprintf("F%d", i), Type: reflect.TypeFor[int]()}})
		v := reflect.New(typ).Elem()
		v.Field(0).SetInt(int64(i))
		data, err := AppendValue(nil, v.Interface())
		if err != nil {
			t.Fatal(err)
		}
		out := reflect.New(typ)
		if err := DecodeValue(data, out.Interface()); err != nil || out.Elem().Field(0).Int() != int64(i) {
			t.Fatalf("value %d: got %v, err %v", i, out.Elem(), err)
		}
	}
	if n := len(decoders.m); n != maxHeaders {
		t.Errorf("%d headers cached; want the bound, %d", n, maxHeaders)
	}
}

package wire

import (
	"reflect"
	"strings"
	"testing"
)

type celsius float64

// roman is an int that encodes itself: it must go through gob, which calls
// its method.
type roman int

func (r roman) MarshalBinary() ([]byte, error) { return []byte(strings.Repeat("I", int(r))), nil }
func (r *roman) UnmarshalBinary(b []byte) error {
	*r = roman(len(b))
	return nil
}

func TestPlainValuesRoundTripWithoutGob(t *testing.T) {
	n := 7
	for _, c := range []struct {
		v, into, want any
	}{
		{42, new(int), 42},
		{-5, new(int8), int8(-5)},
		{uint16(9), new(uint), uint(9)},
		{true, new(bool), true},
		{3.5, new(float32), float32(3.5)},
		{celsius(21.5), new(celsius), celsius(21.5)},
		{"path/to/file", new(string), "path/to/file"},
		{[]byte("bytes"), new([]byte), []byte("bytes")},
		{&n, new(*int), &n},
	} {
		data, err := AppendValue(nil, c.v)
		if err != nil {
			t.Fatalf("AppendValue(%v): %v", c.v, err)
		}
		if data[0] != flagPlain {
			t.Errorf("%T went through gob", c.v)
		}
		roundTripInto(t, data, c.into, c.want)
	}
}

func TestPlainDecodeRefusesWhatDoesNotFit(t *testing.T) {
	data, _ := AppendValue(nil, 300)
	if err := DecodeValue(data, new(int8)); err == nil {
		t.Error("300 decoded into an int8")
	}
	if err := DecodeValue(data, new(string)); err == nil {
		t.Error("an int decoded into a string")
	}
	data, _ = AppendValue(nil, -1)
	if err := DecodeValue(data, new(uint)); err == nil {
		t.Error("an int decoded into a uint")
	}
}

func TestTypeThatEncodesItselfGoesThroughGob(t *testing.T) {
	data, err := AppendValue(nil, roman(3))
	if err != nil {
		t.Fatal(err)
	}
	if data[0]&flagPlain != 0 {
		t.Fatal("a type with MarshalBinary skipped gob")
	}
	roundTripInto(t, data, new(roman), roman(3))
}

// roundTripInto decodes data into into and compares *into with want.
func roundTripInto(t *testing.T, data []byte, into, want any) {
	t.Helper()
	if err := DecodeValue(data, into); err != nil {
		t.Fatalf("DecodeValue into %T: %v", into, err)
	}
	got := reflectElem(into)
	if p, ok := got.(*int); ok {
		if *p != *want.(*int) {
			t.Errorf("got %v; want %v", *p, *want.(*int))
		}
		return
	}
	if b, ok := got.([]byte); ok {
		if string(b) != string(want.([]byte)) {
			t.Errorf("got %q; want %q", b, want)
		}
		return
	}
	if got != want {
		t.Errorf("got %v (%T); want %v (%T)", got, got, want, want)
	}
}

// reflectElem returns what the pointer p points to.
func reflectElem(p any) any { return reflect.ValueOf(p).Elem().Interface() }

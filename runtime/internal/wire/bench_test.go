package wire

import (
	"bytes"
	"encoding/gob"
	"testing"
)

// benchValue is a small argument, as a Map call would send: a few strings
// and ints, about 126 bytes on the wire as one fresh gob stream.
type benchValue struct {
	Name, Path  string
	Size, Width int64
}

func newBenchValue() benchValue {
	return benchValue{Name: "thumbnail-0042.png", Path: "/srv/images/2026/12/01/originals", Size: 1 << 20, Width: 640}
}

// BenchmarkAppendValue measures encoding after warm-up; compare with
// BenchmarkFreshGob's encode.
func BenchmarkAppendValue(b *testing.B) {
	v := newBenchValue()
	buf, _ := AppendValue(nil, v)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = AppendValue(buf[:0], v)
	}
	b.ReportMetric(float64(len(buf)), "bytes/msg")
}

// BenchmarkDecodeValue measures decoding after warm-up.
func BenchmarkDecodeValue(b *testing.B) {
	data, _ := AppendValue(nil, newBenchValue())
	var out benchValue
	b.ReportAllocs()
	for b.Loop() {
		if err := DecodeValue(data, &out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFreshGobEncode and BenchmarkFreshGobDecode are what a
// self-contained value costs with a new gob stream per message.
func BenchmarkFreshGobEncode(b *testing.B) {
	v := newBenchValue()
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := gob.NewEncoder(&buf).Encode(&v); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/msg")
}

func BenchmarkFreshGobDecode(b *testing.B) {
	v := newBenchValue()
	var buf bytes.Buffer
	gob.NewEncoder(&buf).Encode(&v)
	data := buf.Bytes()
	var r bytes.Reader
	b.ReportAllocs()
	for b.Loop() {
		r.Reset(data)
		var out benchValue
		if err := gob.NewDecoder(&r).Decode(&out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInterfaceValue is a round trip of a value whose type holds an
// interface: it is scanned for cycles and dynamic types on each encode.
func BenchmarkInterfaceValue(b *testing.B) {
	v := holder{V: inner{A: 1, I: leaf{"x"}}}
	var buf []byte
	var out holder
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = AppendValue(buf[:0], v)
		if err := DecodeValue(buf, &out); err != nil {
			b.Fatal(err)
		}
	}
}

package wire

import (
	"bytes"
	"encoding/gob"
	"testing"
)

// benchValue is a small argument, as a Map call would send: a few strings
// and ints, about 126 bytes on the wire as one fresh gob stream.
type benchValue struct {
	Name, Path, Owner string
	Size, Mode, Links int64
	Tags              []string
}

func newBenchValue() benchValue {
	return benchValue{Name: "thumbnail-0042.png", Path: "/srv/images/2026/12/01", Owner: "poolgen",
		Size: 1 << 20, Mode: 0o644, Links: 1, Tags: []string{"resize", "png", "q90"}}
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

package wire

import (
	"bytes"
	"testing"
)

// seedFrames returns the sample messages, each framed, and all of them in
// one stream.
func seedFrames(t testing.TB) [][]byte {
	msgs := sampleMsgs(t)
	var all bytes.Buffer
	fwAll := NewFrameWriter(&all)
	var seeds [][]byte
	for i := range msgs {
		var one bytes.Buffer
		NewFrameWriter(&one).Send(&msgs[i])
		seeds = append(seeds, one.Bytes())
		fwAll.Add(&msgs[i])
	}
	fwAll.Flush()
	return append(seeds, all.Bytes())
}

func FuzzParse(f *testing.F) {
	for _, m := range sampleMsgs(f) {
		f.Add(m.Append(nil))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var m Msg
		if m.Parse(b) != nil {
			return
		}
		again := m.Append(nil)
		if len(again) != m.Size() {
			t.Fatalf("Size() = %d; Append wrote %d", m.Size(), len(again))
		}
		var m2 Msg
		if err := m2.Parse(again); err != nil {
			t.Fatalf("re-encoded %+v does not parse: %v", m, err)
		}
		if !equalMsg(&m, &m2) {
			t.Fatalf("re-encoded %+v parses as %+v", m, m2)
		}
	})
}

func FuzzFrameReader(f *testing.F) {
	for _, s := range seedFrames(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr := NewFrameReader(bytes.NewReader(b))
		for range len(b) + 1 { // every frame takes at least 4 bytes
			if _, err := fr.Next(); err != nil {
				return
			}
		}
		t.Fatalf("more frames than bytes in % x", b)
	})
}

func FuzzDecodeValue(f *testing.F) {
	for _, v := range []any{
		newBenchValue(), holder{V: inner{A: 1, I: &leaf2{N: 2}}}, []int{1, 2}, "s", (*int)(nil),
		map[string]any{"k": leaf{"v"}}, stamp{unix: 5},
	} {
		data, err := AppendValue(nil, v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Into a few types, with a warm cache (the seeds primed decoders) and
		// a cold one: garbage must give an error, never a panic.
		for _, cold := range []bool{false, true} {
			if cold {
				decoders.reset()
			}
			DecodeValue(data, new(benchValue))
			DecodeValue(data, new(holder))
			DecodeValue(data, new([]int))
			DecodeValue(data, new(map[string]any))
			DecodeValue(data, new(stamp))
		}
	})
}

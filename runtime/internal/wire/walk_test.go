package wire

import (
	"strings"
	"testing"
)

// node is a linked list, which can be a cycle.
type node struct {
	V    int
	Next *node
}

// textNode is a node that marshals itself as text: gob ignores
// MarshalText and walks its fields, so a cycle in it must be refused too.
type textNode struct {
	Next *textNode
}

func (*textNode) MarshalText() ([]byte, error) { return []byte("t"), nil }

// selfEncoded is a node that encodes itself: gob never walks its fields.
type selfEncoded struct{ Next *selfEncoded }

func (*selfEncoded) MarshalBinary() ([]byte, error) { return []byte("s"), nil }
func (*selfEncoded) UnmarshalBinary([]byte) error   { return nil }

func TestCyclesAreRefusedNamingThePath(t *testing.T) {
	loop := &node{V: 1, Next: &node{V: 2}}
	loop.Next.Next = loop
	shared := &node{V: 9}
	self := []any{nil}
	self[0] = self
	m := map[string]any{}
	m["me"] = m
	keyLoop := &node{}
	keyLoop.Next = keyLoop
	text := &textNode{}
	text.Next = text
	enc := &selfEncoded{}
	enc.Next = enc
	for _, c := range []struct {
		name string
		v    any
		path string // "" for no cycle
	}{
		{"int", 42, ""},
		{"slice", []int{1, 2}, ""},
		{"shared pointer", struct{ A, B *node }{shared, shared}, ""},
		{"shared elements", []*node{shared, shared}, ""},
		{"self-encoding", enc, ""},
		{"list", loop, ".Next.Next"},
		{"slice of itself", self, "[0]"},
		{"map of itself", m, "[me]"},
		{"in a field", struct{ X any }{m}, ".X[me]"},
		{"in a map key", map[*node]int{keyLoop: 1}, "[key "},
		{"text marshaler", text, ".Next"},
	} {
		_, err := AppendValue(nil, c.v)
		switch {
		case c.path == "" && err != nil:
			t.Errorf("%s: AppendValue = %v; want no error", c.name, err)
		case c.path != "" && (err == nil || !strings.Contains(err.Error(), "cycle (at "+c.path)):
			t.Errorf("%s: AppendValue = %v; want a cycle at %s", c.name, err, c.path)
		}
	}
}

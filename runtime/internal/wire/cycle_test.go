package wire

import (
	"strings"
	"testing"
)

// node is a linked list, which can be a cycle.
type node struct {
	Next *node
	V    int
}

func TestCheckCyclesFindsOnlyCycles(t *testing.T) {
	shared := &node{V: 9}
	self := []any{nil}
	self[0] = self
	m := map[string]any{}
	m["me"] = m
	for _, c := range []struct {
		v    any
		path string // "" for no cycle
	}{
		{42, ""},
		{[]int{1, 2}, ""},
		{struct{ A, B *node }{shared, shared}, ""}, // shared, not cyclic
		{[]*node{shared, shared}, ""},
		{self, "[0]"},
		{m, "[me]"},
		{struct{ X any }{m}, ".X[me]"},
	} {
		err := checkCycles(c.v)
		switch {
		case c.path == "" && err != nil:
			t.Errorf("checkCycles(%T) = %v; want nil", c.v, err)
		case c.path != "" && (err == nil || !strings.Contains(err.Error(), "(at "+c.path+")")):
			t.Errorf("checkCycles(%T) = %v; want a cycle at %s", c.v, err, c.path)
		}
	}
}

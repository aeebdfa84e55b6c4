package gen

import "testing"

// TestFreshNamesSkipTakenOnes checks name allocation.
func TestFreshNamesSkipTakenOnes(t *testing.T) {
	n := namer{"ctx": true, "ctx1": true}
	if got := n.fresh("ctx"); got != "ctx2" {
		t.Errorf("fresh(ctx) = %s, want ctx2", got)
	}
	if got := n.fresh("p"); got != "p" {
		t.Errorf("fresh(p) = %s, want p", got)
	}
	if got := n.fresh("p"); got != "p1" {
		t.Errorf("second fresh(p) = %s, want p1", got)
	}
}

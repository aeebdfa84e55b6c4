package gen

import (
	"go/token"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestParseOptions checks each option's parsing and the column of each error.
func TestParseOptions(t *testing.T) {
	for _, tc := range []struct {
		text string
		want options
		errs []string
	}{
		{text: "//poolgen:worker", want: options{}},
		{text: "//poolgen:worker name=Thumb\ttimeout=1m30s", want: options{name: "Thumb", timeout: 90 * time.Second}},
		{text: "//poolgen:worker nocontext", want: options{nocontext: true}},
		{text: "//poolgen:worker nocontext=1", errs: []string{"f.go:1:18: option nocontext takes no value"}},
		{text: "//poolgen:worker  name=", errs: []string{"f.go:1:19: option name=: the name must be a Go identifier, as in name=Thumb"}},
		{text: "//poolgen:worker name=_", errs: []string{"f.go:1:18: option name=_: the name must be a Go identifier, as in name=Thumb"}},
		{text: "//poolgen:worker timeout=-1s", errs: []string{"f.go:1:18: option timeout=-1s: the timeout must be positive"}},
		{text: "//poolgen:worker x", errs: []string{`f.go:1:18: unknown option "x" (known options: isolate=process, name=, nocontext, timeout=)`}},
		{text: "//poolgen:worker name=A name=A", errs: []string{"f.go:1:25: duplicate option name=A"}},
	} {
		var errs ErrorList
		got, ok := parseOptions(tc.text, token.Position{Filename: "f.go", Line: 1, Column: 1}, &errs)
		var msgs []string
		for _, e := range errs {
			msgs = append(msgs, e.Error())
		}
		if diff := cmp.Diff(tc.errs, msgs); diff != "" {
			t.Errorf("%q: errors (-want +got):\n%s", tc.text, diff)
		}
		got.at = nil
		if ok && (got.name != tc.want.name || got.timeout != tc.want.timeout || got.nocontext != tc.want.nocontext) {
			t.Errorf("%q: options = %+v, want %+v", tc.text, got, tc.want)
		}
	}
}

// TestIsWorkerDirective checks which comments are the worker directive.
func TestIsWorkerDirective(t *testing.T) {
	for text, want := range map[string]bool{
		"//poolgen:worker": true, "//poolgen:worker name=X": true, "//poolgen:worker\tx": true,
		"//poolgen:workers": false, "// poolgen:worker": false, "//poolgen:": false,
	} {
		if got := isWorkerDirective(text); got != want {
			t.Errorf("isWorkerDirective(%q) = %v, want %v", text, got, want)
		}
	}
}

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

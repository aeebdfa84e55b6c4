package directive

import (
	"go/token"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestParse checks each option's parsing and the column of each error.
func TestParse(t *testing.T) {
	for _, tc := range []struct {
		text string
		want Options
		errs []string
	}{
		{text: "//poolgen:worker", want: Options{}},
		{text: "//poolgen:worker name=Thumb\ttimeout=1m30s", want: Options{Name: "Thumb", Timeout: 90 * time.Second}},
		{text: "//poolgen:worker nocontext", want: Options{NoContext: true}},
		{text: "//poolgen:worker isolate=process", want: Options{Process: true}},
		{text: "//poolgen:worker init=NewClient", want: Options{Init: "NewClient"}},
		{text: "//poolgen:worker init=", errs: []string{"f.go:1:18: option init=: the init function must be named by a Go identifier, as in init=NewClient"}},
		{text: "//poolgen:worker init=db.Open", errs: []string{"f.go:1:18: option init=db.Open: the init function must be named by a Go identifier, as in init=NewClient"}},
		{text: "//poolgen:worker nocontext=1", errs: []string{"f.go:1:18: option nocontext takes no value"}},
		{text: "//poolgen:worker  name=", errs: []string{"f.go:1:19: option name=: the name must be a Go identifier, as in name=Thumb"}},
		{text: "//poolgen:worker name=_", errs: []string{"f.go:1:18: option name=_: the name must be a Go identifier, as in name=Thumb"}},
		{text: "//poolgen:worker timeout=-1s", errs: []string{"f.go:1:18: option timeout=-1s: the timeout must be positive"}},
		{text: "//poolgen:worker timeout=5", errs: []string{"f.go:1:18: malformed option timeout=5: want a Go duration such as 5s or 1m30s"}},
		{text: "//poolgen:worker isolate=thread", errs: []string{"f.go:1:18: option isolate=thread: the only isolation is isolate=process"}},
		{text: "//poolgen:worker x", errs: []string{`f.go:1:18: unknown option "x" (known options: init=, isolate=process, name=, nocontext, timeout=)`}},
		{text: "//poolgen:worker name=A name=A", want: Options{Name: "A"}, errs: []string{"f.go:1:25: duplicate option name=A"}},
	} {
		got, errs := Parse(tc.text, token.Position{Filename: "f.go", Line: 1, Column: 1})
		var msgs []string
		for _, e := range errs {
			msgs = append(msgs, e.Pos.String()+": "+e.Msg)
		}
		if diff := cmp.Diff(tc.errs, msgs); diff != "" {
			t.Errorf("%q: errors (-want +got):\n%s", tc.text, diff)
		}
		if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(Options{}, "At")); diff != "" {
			t.Errorf("%q: options (-want +got):\n%s", tc.text, diff)
		}
	}
}

// TestParseRecordsWhereEachOptionIs checks the positions that errors about an
// option, reported later by poolgen, point at.
func TestParseRecordsWhereEachOptionIs(t *testing.T) {
	got, _ := Parse("//poolgen:worker name=A  timeout=1s", token.Position{Filename: "f.go", Line: 3, Column: 1, Offset: 40})
	want := map[string]token.Position{
		"name":    {Filename: "f.go", Line: 3, Column: 18, Offset: 57},
		"timeout": {Filename: "f.go", Line: 3, Column: 26, Offset: 65},
	}
	if diff := cmp.Diff(want, got.At); diff != "" {
		t.Errorf("At (-want +got):\n%s", diff)
	}
}

// TestIsWorker checks which comments are the worker directive.
func TestIsWorker(t *testing.T) {
	for text, want := range map[string]bool{
		"//poolgen:worker": true, "//poolgen:worker name=X": true, "//poolgen:worker\tx": true,
		"//poolgen:workers": false, "// poolgen:worker": false, "//poolgen:": false,
	} {
		if got := IsWorker(text); got != want {
			t.Errorf("IsWorker(%q) = %v, want %v", text, got, want)
		}
	}
}

package wire

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
)

// sampleMsgs returns a message of every kind, as the engine sends them.
func sampleMsgs(t testing.TB) []Msg {
	arg, err := AppendValue(nil, newBenchValue())
	if err != nil {
		t.Fatal(err)
	}
	res, err := AppendValue(nil, "done")
	if err != nil {
		t.Fatal(err)
	}
	return []Msg{
		{Kind: KindHello},
		{Kind: KindCall, ID: 1, Name: "example.com/img.Resize", Deadline: 1764561600123456789, Grace: 1e9, Value: arg},
		{Kind: KindCall, ID: 1 << 40, Name: "f", Value: arg},
		{Kind: KindCancel, ID: 7},
		{Kind: KindRevoke, ID: 12},
		{Kind: KindResult, ID: 3, Value: res},
		{Kind: KindError, ID: 4, Text: "resize: bad size", Class: ClassPlain},
		{Kind: KindError, ID: 5, Text: "context deadline exceeded", Class: ClassDeadlineExceeded},
		{Kind: KindPanic, ID: 6, Text: "runtime error: index out of range", Stack: []byte("goroutine 7 [running]:\nmain.f()\n")},
		{Kind: KindNotRun, ID: 8, Text: "cancelled before it started", Class: ClassCanceled},
		{Kind: KindCall, ID: 9, Deadline: -1, Grace: -5},
	}
}

// equalMsg reports whether a and b say the same: absent and empty fields
// are equal.
func equalMsg(a, b *Msg) bool {
	return a.Kind == b.Kind && a.ID == b.ID && a.Name == b.Name && a.Deadline == b.Deadline &&
		a.Grace == b.Grace && a.Class == b.Class && a.Text == b.Text &&
		bytes.Equal(a.Stack, b.Stack) && bytes.Equal(a.Value, b.Value)
}

func TestMsgRoundTripsEveryKind(t *testing.T) {
	kinds := map[Kind]bool{}
	for _, m := range sampleMsgs(t) {
		b := m.Append([]byte("prefix"))
		if len(b)-len("prefix") != m.Size() {
			t.Errorf("%v: Size() = %d; Append wrote %d bytes", m.Kind, m.Size(), len(b)-len("prefix"))
		}
		var got Msg
		if err := got.Parse(b[len("prefix"):]); err != nil {
			t.Fatalf("%v: Parse: %v", m.Kind, err)
		}
		if !equalMsg(&m, &got) {
			t.Errorf("%v: parsed %+v; want %+v", m.Kind, got, m)
		}
		kinds[m.Kind] = true
	}
	for k := KindHello; k < kindEnd; k++ {
		if !kinds[k] {
			t.Errorf("no sample message of kind %v", k)
		}
	}
}

func TestParseRefusesMalformedMessages(t *testing.T) {
	call := (&Msg{Kind: KindCall, ID: 1, Name: "f", Value: []byte("arg")}).Append(nil)
	for _, c := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"kind 0", []byte{0, 1, 0}},
		{"unknown kind", []byte{byte(kindEnd), 1, 0}},
		{"no fields byte", []byte{byte(KindHello), 0}},
		{"unknown field", []byte{byte(KindHello), 0, 0x80}},
		{"unknown class", []byte{byte(KindError), 0, hasClass, byte(classEnd)}},
		{"truncated", call[:len(call)-1]},
		{"trailing", append(append([]byte{}, call...), 0)},
		{"huge length", []byte{byte(KindCall), 1, hasName, 0xff, 0xff, 0xff, 0xff, 0x0f, 'x'}},
	} {
		var m Msg
		if err := m.Parse(c.b); err == nil {
			t.Errorf("%s: Parse(% x) = nil error; want one", c.name, c.b)
		}
	}
}

func TestParsedValueAliasesAndTheRestIsCopied(t *testing.T) {
	b := (&Msg{Kind: KindPanic, ID: 1, Text: "t", Stack: []byte("stack"), Value: []byte("v")}).Append(nil)
	var m Msg
	if err := m.Parse(b); err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] = 'X'
	}
	if m.Text != "t" || string(m.Stack) != "stack" {
		t.Errorf("Text %q, Stack %q changed with the buffer; want them copied", m.Text, m.Stack)
	}
	if string(m.Value) != "X" {
		t.Errorf("Value %q did not change with the buffer; the doc says it aliases", m.Value)
	}
}

func TestClassesKeepErrorsIs(t *testing.T) {
	for _, err := range []error{
		errors.New("plain"),
		fmt.Errorf("stopped: %w", context.Canceled),
		fmt.Errorf("late: %w", context.DeadlineExceeded),
	} {
		remote := &RemoteError{Text: err.Error(), Class: ClassOf(err)}
		for _, target := range []error{context.Canceled, context.DeadlineExceeded} {
			if errors.Is(remote, target) != errors.Is(err, target) {
				t.Errorf("%v: errors.Is(remote, %v) = %v; want %v", err, target, !errors.Is(err, target), errors.Is(err, target))
			}
		}
		if remote.Error() != err.Error() {
			t.Errorf("Error() = %q; want %q", remote.Error(), err.Error())
		}
	}
}

func TestKindString(t *testing.T) {
	if got := KindNotRun.String(); got != "NotRun" {
		t.Errorf("KindNotRun.String() = %q", got)
	}
	if got := Kind(99).String(); got != "Kind(99)" {
		t.Errorf("Kind(99).String() = %q", got)
	}
}

package wire

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
)

// A Kind says what a message is, and so who sends it.
type Kind byte

// The kinds of message. The submitter (a pool's parent process, or a
// cluster's client) sends calls and their cancellation; a worker (a child
// process, a cluster worker) answers each call with exactly one of Result,
// Error, Panic or NotRun.
const (
	KindHello  Kind = iota + 1 // worker → submitter: ready to serve; no fields
	KindCall                   // submitter → worker: run Name on Value, by Deadline; Grace
	KindCancel                 // submitter → worker: cancel every call up to ID, running or queued
	KindRevoke                 // submitter → worker: answer every queued call up to ID with NotRun, unrun
	KindResult                 // worker → submitter: the call returned Value
	KindError                  // worker → submitter: the call returned an error: Text, Class
	KindPanic                  // worker → submitter: the call panicked: Text (the value), Stack
	KindNotRun                 // worker → submitter: the call never started (Text, Class say why); it may run elsewhere
	kindEnd
)

var kindNames = [...]string{"", "Hello", "Call", "Cancel", "Revoke", "Result", "Error", "Panic", "NotRun"}

// String returns the kind's name.
func (k Kind) String() string {
	if k == 0 || k >= kindEnd {
		return fmt.Sprintf("Kind(%d)", byte(k))
	}
	return kindNames[k]
}

// A Class is what errors.Is must still match in an error that crossed the
// wire: its message travels as text, its identity does not.
type Class byte

// The classes of error.
const (
	ClassPlain            Class = iota // none of the below
	ClassCanceled                      // errors.Is(err, context.Canceled)
	ClassDeadlineExceeded              // errors.Is(err, context.DeadlineExceeded)
	classEnd
)

// ClassOf returns the class of err.
func ClassOf(err error) Class {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return ClassDeadlineExceeded
	case errors.Is(err, context.Canceled):
		return ClassCanceled
	}
	return ClassPlain
}

// A RemoteError is an error that crossed the wire: its text, and its class,
// which errors.Is matches through Unwrap.
type RemoteError struct {
	Text  string
	Class Class
}

// Error returns the error's text.
func (e *RemoteError) Error() string { return e.Text }

// Unwrap returns the context error of the class, or nil.
func (e *RemoteError) Unwrap() error {
	switch e.Class {
	case ClassCanceled:
		return context.Canceled
	case ClassDeadlineExceeded:
		return context.DeadlineExceeded
	}
	return nil
}

// A Msg is one message, of any kind: the fields a kind does not use are
// zero. Each message is self-contained: it can be read without any message
// before it, so a broker may deliver it to any worker, or again to another.
type Msg struct {
	Kind     Kind
	ID       uint64 // the call's id (Cancel: every call up to ID; Revoke: every queued call up to ID)
	Name     string // Call: the registered function's name
	Deadline int64  // Call: unix ns, 0 for none
	Grace    int64  // Call: ns a cancelled call gets before its worker is killed (0: the worker's default; < 0: none)
	Class    Class  // Error, NotRun: what errors.Is must still match
	Text     string // Error, NotRun: the message; Panic: the panic value as text
	Stack    []byte // Panic: the stack of the panicking goroutine
	Value    []byte // Call: the argument; Result: the result (AppendValue's output)
}

// A message is its kind, its uvarint ID, a byte with one bit per field
// present, and the fields present, in order: a string or bytes as a uvarint
// length and the bytes, an int64 as a varint, the class as a byte.
const (
	hasName byte = 1 << iota
	hasDeadline
	hasGrace
	hasClass
	hasText
	hasStack
	hasValue
	hasAll = hasValue<<1 - 1
)

// Append appends the message's encoding to dst.
func (m *Msg) Append(dst []byte) []byte {
	dst = append(dst, byte(m.Kind))
	dst = binary.AppendUvarint(dst, m.ID)
	has := m.fields()
	dst = append(dst, has)
	if has&hasName != 0 {
		dst = appendBytes(dst, m.Name)
	}
	if has&hasDeadline != 0 {
		dst = binary.AppendVarint(dst, m.Deadline)
	}
	if has&hasGrace != 0 {
		dst = binary.AppendVarint(dst, m.Grace)
	}
	if has&hasClass != 0 {
		dst = append(dst, byte(m.Class))
	}
	if has&hasText != 0 {
		dst = appendBytes(dst, m.Text)
	}
	if has&hasStack != 0 {
		dst = appendBytes(dst, m.Stack)
	}
	if has&hasValue != 0 {
		dst = appendBytes(dst, m.Value)
	}
	return dst
}

// Size returns the length of the message's encoding.
func (m *Msg) Size() int {
	n := 1 + uvarintLen(m.ID) + 1
	n += bytesLen(m.Name) + bytesLen(m.Text) + bytesLen(m.Stack) + bytesLen(m.Value)
	n += varintLen(m.Deadline) + varintLen(m.Grace)
	if m.Class != 0 {
		n++
	}
	return n
}

// fields returns the bits of the fields that are not zero.
func (m *Msg) fields() byte {
	var has byte
	set := func(bit byte, present bool) {
		if present {
			has |= bit
		}
	}
	set(hasName, m.Name != "")
	set(hasDeadline, m.Deadline != 0)
	set(hasGrace, m.Grace != 0)
	set(hasClass, m.Class != 0)
	set(hasText, m.Text != "")
	set(hasStack, len(m.Stack) != 0)
	set(hasValue, len(m.Value) != 0)
	return has
}

func appendBytes[S string | []byte](dst []byte, s S) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

func uvarintLen(v uint64) int { return (bits.Len64(v|1) + 6) / 7 }

func varintLen(v int64) int {
	if v == 0 {
		return 0
	}
	return uvarintLen(uint64(v<<1) ^ uint64(v>>63))
}

// bytesLen is the length of a string or bytes field, 0 when absent.
func bytesLen[S string | []byte](s S) int {
	if len(s) == 0 {
		return 0
	}
	return uvarintLen(uint64(len(s))) + len(s)
}

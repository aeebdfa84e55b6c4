package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Parse sets m to the message encoded in b, all of it. Value aliases b: the
// caller decodes it (or copies it) before reusing b; every other field is
// copied. Parse never panics, and allocates no more than len(b) on any
// input; on error m is left partly set.
func (m *Msg) Parse(b []byte) error {
	*m = Msg{}
	r := parser{b: b}
	m.Kind = Kind(r.byte())
	m.ID = r.uvarint()
	has := r.byte()
	if r.err == nil && (m.Kind == 0 || m.Kind >= kindEnd) {
		return fmt.Errorf("wire: unknown message kind %d", byte(m.Kind))
	}
	if r.err == nil && has&^hasAll != 0 {
		return fmt.Errorf("wire: unknown fields %#x in a %v message", has&^hasAll, m.Kind)
	}
	if has&hasName != 0 {
		m.Name = string(r.bytes())
	}
	if has&hasDeadline != 0 {
		m.Deadline = r.varint()
	}
	if has&hasGrace != 0 {
		m.Grace = r.varint()
	}
	if has&hasClass != 0 {
		if m.Class = Class(r.byte()); r.err == nil && m.Class >= classEnd {
			return fmt.Errorf("wire: unknown error class %d", byte(m.Class))
		}
	}
	if has&hasText != 0 {
		m.Text = string(r.bytes())
	}
	if has&hasStack != 0 {
		m.Stack = append([]byte(nil), r.bytes()...)
	}
	if has&hasValue != 0 {
		m.Value = r.bytes()
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = errors.New("wire: malformed message: trailing bytes")
	}
	return r.err
}

// parser reads the fields of a message from b; after the first error it
// reads zeros and keeps the error.
type parser struct {
	b   []byte
	err error
}

var (
	errShort     = errors.New("wire: malformed message: too short")
	errBadNumber = errors.New("wire: malformed message: bad number")
)

// byte, uvarint and varint read a field of their type.
func (r *parser) byte() byte {
	if r.err != nil || len(r.b) == 0 {
		r.fail(errShort)
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *parser) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if r.err != nil || n <= 0 {
		r.fail(errBadNumber)
		return 0
	}
	r.b = r.b[n:]
	return v
}

// varint undoes the zig-zag encoding of binary.AppendVarint, as binary.Varint does.
func (r *parser) varint() int64 {
	u := r.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

// bytes reads a length and that many bytes, which alias the message.
func (r *parser) bytes() []byte {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.b)) {
		r.fail(errShort)
		return nil
	}
	s := r.b[:n:n]
	r.b = r.b[n:]
	return s
}

// fail records err unless an error came first.
func (r *parser) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

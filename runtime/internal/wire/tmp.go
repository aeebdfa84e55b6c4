package wire

// A stand-in for the wire package being written on the wire branch: the
// same API, with a fresh gob stream per value.

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime/debug"
	"sync"
)

type Kind byte

const (
	KindHello Kind = iota + 1
	KindCall
	KindCancel
	KindRevoke
	KindResult
	KindError
	KindPanic
	KindNotRun
)

type Class byte

const (
	ClassPlain Class = iota
	ClassCanceled
	ClassDeadline
)

type Msg struct {
	Kind     Kind
	ID       uint64
	Name     string
	Deadline int64
	Grace    int64
	Class    Class
	Text     string
	Stack    []byte
	Value    []byte
}

func (m *Msg) Append(b []byte) []byte {
	b = append(b, byte(m.Kind), byte(m.Class))
	b = binary.AppendUvarint(b, m.ID)
	b = binary.AppendVarint(b, m.Deadline)
	b = binary.AppendVarint(b, m.Grace)
	for _, s := range [][]byte{[]byte(m.Name), []byte(m.Text), m.Stack, m.Value} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

var errShort = errors.New("wire: short message")

func (m *Msg) Parse(b []byte) error {
	if len(b) < 2 {
		return errShort
	}
	m.Kind, m.Class = Kind(b[0]), Class(b[1])
	b = b[2:]
	var n int
	if m.ID, n = binary.Uvarint(b); n <= 0 {
		return errShort
	}
	b = b[n:]
	if m.Deadline, n = binary.Varint(b); n <= 0 {
		return errShort
	}
	b = b[n:]
	if m.Grace, n = binary.Varint(b); n <= 0 {
		return errShort
	}
	b = b[n:]
	var fields [4][]byte
	for i := range fields {
		l, n := binary.Uvarint(b)
		if n <= 0 || l > uint64(len(b)-n) {
			return errShort
		}
		fields[i] = b[n : n+int(l)]
		b = b[n+int(l):]
	}
	m.Name, m.Text, m.Stack, m.Value = string(fields[0]), string(fields[1]), fields[2], fields[3]
	return nil
}

type FrameWriter struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
}

func NewFrameWriter(w io.Writer) *FrameWriter { return &FrameWriter{w: w} }

func (fw *FrameWriter) Add(m *Msg) {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	start := len(fw.buf)
	fw.buf = append(fw.buf, 0, 0, 0, 0)
	fw.buf = m.Append(fw.buf)
	binary.BigEndian.PutUint32(fw.buf[start:], uint32(len(fw.buf)-start-4))
}

func (fw *FrameWriter) Flush() (bool, error) {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	if len(fw.buf) == 0 {
		return false, nil
	}
	n, err := fw.w.Write(fw.buf)
	fw.buf = fw.buf[:0]
	return n > 0, err
}

type FrameReader struct {
	r   *bufio.Reader
	buf []byte
}

func NewFrameReader(r io.Reader) *FrameReader {
	return &FrameReader{r: bufio.NewReaderSize(r, 64<<10)}
}

func (fr *FrameReader) Next(m *Msg) error {
	var head [4]byte
	if _, err := io.ReadFull(fr.r, head[:]); err != nil {
		return err
	}
	n := binary.BigEndian.Uint32(head[:])
	if n > 1<<30 {
		return fmt.Errorf("wire: frame of %d bytes", n)
	}
	if cap(fr.buf) < int(n) {
		fr.buf = make([]byte, n)
	}
	fr.buf = fr.buf[:n]
	if _, err := io.ReadFull(fr.r, fr.buf); err != nil {
		return io.ErrUnexpectedEOF
	}
	return m.Parse(fr.buf)
}

type Panic struct {
	Value any
	Stack []byte
}

func (p *Panic) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

func catch(fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &Panic{Value: v, Stack: debug.Stack()}
		}
	}()
	return fn()
}

func boxType(t reflect.Type) reflect.Type {
	return reflect.StructOf([]reflect.StructField{{Name: "V", Type: t}})
}

func AppendValue(dst []byte, v any) ([]byte, error) {
	if err := checkCycles(v); err != nil {
		return nil, err
	}
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return dst, nil
	}
	box := reflect.New(boxType(rv.Type())).Elem()
	box.Field(0).Set(rv)
	var b bytes.Buffer
	err := catch(func() error { return gob.NewEncoder(&b).EncodeValue(box) })
	return append(dst, b.Bytes()...), err
}

func DecodeValue(data []byte, v any) error {
	if len(data) == 0 {
		return nil
	}
	p := reflect.ValueOf(v).Elem()
	box := reflect.New(boxType(p.Type()))
	err := catch(func() error { return gob.NewDecoder(bytes.NewReader(data)).DecodeValue(box) })
	if err == nil {
		p.Set(box.Elem().Field(0))
	}
	return err
}

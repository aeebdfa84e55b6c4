package pool

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"sync"
)

// A frame is a big-endian uint32 length, then that many bytes: a kind byte, a
// uvarint task id, and the kind's payload. The payload's values are gob
// messages of the pipe's one gob stream, or plain strings and numbers.
// Reading whole frames before decoding them means a child that dies half-way
// through a write leaves a short frame, never a decoder waiting for more.
const (
	frameHello  byte = iota + 1 // child → parent: ready to serve; no payload
	frameCall                   // parent → child: name, deadline (unix ns, 0 for none), gob argument
	frameCancel                 // parent → child: cancel every call up to this id, running or queued; no payload
	frameResult                 // child → parent: gob result
	frameError                  // child → parent: error class, message
	framePanic                  // child → parent: error class (errBroken or 0), panic value as text, stack
	frameRevoke                 // parent → child: answer every queued call (not the running one) unrun; no payload
)

// Error classes of frameError: what errors.Is must still match in the parent.
// errBroken may be or-ed in: the child's gob stream is broken (encoding failed
// half-way), so the parent must not give it another task. errNotRun may be
// or-ed in: the call never started (it was cancelled while queued in the
// child, or the stream broke before its turn), so the parent may send it to
// another child.
const (
	errPlain    byte = 0
	errCanceled byte = 1
	errDeadline byte = 2
	errNotRun   byte = 0x40
	errBroken   byte = 0x80
)

// maxFrame bounds a frame's length, so that garbage on a pipe is an error
// rather than a huge allocation.
const maxFrame = 1 << 30

// frameWriter writes frames to one pipe; it is safe for concurrent use.
type frameWriter struct {
	mu     sync.Mutex
	w      io.Writer
	buf    bytes.Buffer // the frame being built
	enc    *gob.Encoder // writes into buf
	broken bool         // an encoding failed half-way: the gob stream cannot go on
}

func newFrameWriter(w io.Writer) *frameWriter {
	fw := &frameWriter{w: w}
	fw.enc = gob.NewEncoder(&fw.buf)
	return fw
}

// errBrokenStream is the error of a write after an encoding failed half-way.
var errBrokenStream = errors.New("pool: worker process stream is broken")

// send writes one frame of plain values: kind, id, then what fill appends
// (fill may be nil), after any frame added and not yet written. It fails only
// when the pipe does.
func (fw *frameWriter) send(kind byte, id uint64, fill func(b *bytes.Buffer)) error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	fw.begin(kind, id, fill)
	_, err := fw.flush()
	return err
}

// sendValue is send with v appended as a gob message. An encoding error (a
// panic in a GobEncode method is one, as a *PanicError) is returned as is and
// nothing is written; then the stream is broken for good: gob records the
// types it described as sent even when the value fails to encode, so the two
// ends of the stream no longer agree. A value that holds a cycle is refused
// before anything is encoded, and leaves the stream whole.
func (fw *frameWriter) sendValue(kind byte, id uint64, fill func(b *bytes.Buffer), v any) error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	if err := fw.addValue(kind, id, fill, v); err != nil {
		return err
	}
	_, err := fw.flush()
	return err
}

// add is sendValue without the write: the frame waits in the buffer for the
// next flush, so that frames sent in a burst cost one write.
func (fw *frameWriter) add(kind byte, id uint64, fill func(b *bytes.Buffer), v any) error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	return fw.addValue(kind, id, fill, v)
}

// writeOut writes the frames added and not yet written. wrote says whether
// any byte of them reached the pipe.
func (fw *frameWriter) writeOut() (wrote bool, err error) {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	if fw.buf.Len() == 0 {
		return false, nil
	}
	n, err := fw.flush()
	return n > 0, err
}

// addValue adds a frame with v, with fw.mu held; see sendValue.
func (fw *frameWriter) addValue(kind byte, id uint64, fill func(b *bytes.Buffer), v any) error {
	if fw.broken {
		return errBrokenStream
	}
	if err := checkCycles(v); err != nil {
		return err
	}
	start := fw.begin(kind, id, fill)
	if err := catchPanic(func() error { return fw.enc.Encode(v) }); err != nil {
		fw.broken = true
		fw.buf.Truncate(start)
		return err
	}
	fw.end(start)
	return nil
}

// begin adds a frame to fw.buf, with fw.mu held, and returns where it starts;
// a frame without a gob message is complete, one with a message is ended by
// end.
func (fw *frameWriter) begin(kind byte, id uint64, fill func(b *bytes.Buffer)) int {
	b := &fw.buf
	start := b.Len()
	b.Write([]byte{0, 0, 0, 0, kind})
	putUvarint(b, id)
	if fill != nil {
		fill(b)
	}
	fw.end(start)
	return start
}

// end sets the length of the frame that starts at start, the last in fw.buf.
func (fw *frameWriter) end(start int) {
	frame := fw.buf.Bytes()[start:]
	binary.BigEndian.PutUint32(frame, uint32(len(frame)-4))
}

// flush writes the frames in fw.buf, with fw.mu held, and returns how many
// bytes reached the pipe.
func (fw *frameWriter) flush() (int, error) {
	n, err := fw.w.Write(fw.buf.Bytes())
	fw.buf.Reset()
	if err != nil {
		return n, &pipeError{err}
	}
	return n, nil
}

// pipeError is a failed write to a pipe: the other end is gone.
type pipeError struct{ err error }

func (e *pipeError) Error() string { return "pool: worker process pipe: " + e.err.Error() }
func (e *pipeError) Unwrap() error { return e.err }

// frameReader reads frames from one pipe; one goroutine uses it.
type frameReader struct {
	r       *bufio.Reader
	buf     []byte
	payload bytes.Reader // the rest of the current frame
	dec     *gob.Decoder // reads from payload
}

func newFrameReader(r io.Reader) *frameReader {
	fr := &frameReader{r: bufio.NewReaderSize(r, 64<<10)}
	fr.dec = gob.NewDecoder(&fr.payload)
	return fr
}

// next reads the next frame and returns its kind and id; its payload is then
// read with the methods below and dec.
func (fr *frameReader) next() (kind byte, id uint64, err error) {
	var head [4]byte
	if _, err := io.ReadFull(fr.r, head[:]); err != nil {
		return 0, 0, err
	}
	n := binary.BigEndian.Uint32(head[:])
	if n < 2 || n > maxFrame {
		return 0, 0, fmt.Errorf("pool: worker process frame of %d bytes", n)
	}
	if cap(fr.buf) < int(n) {
		fr.buf = make([]byte, n)
	}
	fr.buf = fr.buf[:n]
	if _, err := io.ReadFull(fr.r, fr.buf); err != nil {
		return 0, 0, io.ErrUnexpectedEOF
	}
	fr.payload.Reset(fr.buf[1:])
	id, err = binary.ReadUvarint(&fr.payload)
	return fr.buf[0], id, err
}

// uvarint, varint and str read plain values of the current frame's payload.
func (fr *frameReader) uvarint() (uint64, error) { return binary.ReadUvarint(&fr.payload) }

func (fr *frameReader) varint() (int64, error) { return binary.ReadVarint(&fr.payload) }

func (fr *frameReader) str() (string, error) {
	n, err := fr.uvarint()
	if err != nil || n > uint64(fr.payload.Len()) {
		return "", cmpErr(err, io.ErrUnexpectedEOF)
	}
	b := make([]byte, n)
	fr.payload.Read(b)
	return string(b), nil
}

// catchPanic calls fn and returns its error, or its panic as a *PanicError:
// a value's GobEncode or GobDecode may panic, and gob lets the panic through.
func catchPanic(fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return fn()
}

// cmpErr returns err, or else fallback.
func cmpErr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}

// putUvarint, putVarint and putStr append plain values to a frame.
func putUvarint(b *bytes.Buffer, v uint64) {
	var s [binary.MaxVarintLen64]byte
	b.Write(s[:binary.PutUvarint(s[:], v)])
}

func putVarint(b *bytes.Buffer, v int64) {
	var s [binary.MaxVarintLen64]byte
	b.Write(s[:binary.PutVarint(s[:], v)])
}

func putStr(b *bytes.Buffer, s string) {
	putUvarint(b, uint64(len(s)))
	b.WriteString(s)
}

// isBroken reports whether an encoding failed half-way.
func (fw *frameWriter) isBroken() bool {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	return fw.broken
}

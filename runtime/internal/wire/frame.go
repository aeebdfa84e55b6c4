package wire

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"sync"
)

// MaxFrame bounds a frame's length, so that garbage on a stream is an error
// rather than a huge allocation.
const MaxFrame = 1 << 30

// A FrameWriter writes messages to a byte stream (a pipe) as frames: a
// big-endian uint32 length, then the message. It gathers the messages added
// since the last Flush and writes them in one Write. It is safe for
// concurrent use.
type FrameWriter struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte // frames added and not yet written
}

// NewFrameWriter returns a FrameWriter that writes to w.
func NewFrameWriter(w io.Writer) *FrameWriter { return &FrameWriter{w: w} }

// Add adds m's frame to those the next Flush writes. It fails, adding
// nothing, when the frame would be over MaxFrame.
func (fw *FrameWriter) Add(m *Msg) error {
	if n := m.Size(); n > MaxFrame {
		return fmt.Errorf("wire: a %v message of %d bytes is over the frame limit (%d)", m.Kind, n, MaxFrame)
	}
	fw.mu.Lock()
	defer fw.mu.Unlock()
	start := len(fw.buf)
	fw.buf = append(fw.buf, 0, 0, 0, 0)
	fw.buf = m.Append(fw.buf)
	binary.BigEndian.PutUint32(fw.buf[start:], uint32(len(fw.buf)-start-4))
	return nil
}

// Flush writes the frames added and not yet written, in one Write, and
// blocks until it returns. Whatever the outcome, they are not written again.
// It returns the number of bytes that reached the stream, and the Write's
// error (an error means the stream is broken: the other end is gone).
func (fw *FrameWriter) Flush() (int, error) {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	if len(fw.buf) == 0 {
		return 0, nil
	}
	n, err := fw.w.Write(fw.buf)
	if cap(fw.buf) > maxKeep {
		fw.buf = nil // one huge message must not pin its buffer
	}
	fw.buf = fw.buf[:0]
	return n, err
}

// Send adds m and flushes: m is written, with any frame added before it.
func (fw *FrameWriter) Send(m *Msg) error {
	if err := fw.Add(m); err != nil {
		return err
	}
	_, err := fw.Flush()
	return err
}

// A FrameReader reads frames from a byte stream. One goroutine uses it.
type FrameReader struct {
	r   *bufio.Reader
	buf []byte
	msg Msg
}

// NewFrameReader returns a FrameReader that reads from r, through a buffer.
func NewFrameReader(r io.Reader) *FrameReader {
	return &FrameReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// Next reads the next frame and returns its message, which is valid until
// the next call to Next: its Value aliases the reader's buffer. It returns
// io.EOF at the end of the stream between frames, io.ErrUnexpectedEOF when
// the stream ends inside a frame (a writer that died half-way through a
// write), and an error for a frame over MaxFrame or a malformed message.
// Memory grows with the bytes that arrive, not with the length a frame
// claims.
func (fr *FrameReader) Next() (*Msg, error) {
	var head [4]byte
	if _, err := io.ReadFull(fr.r, head[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(head[:])
	if n > MaxFrame {
		return nil, fmt.Errorf("wire: a frame of %d bytes is over the limit (%d)", n, MaxFrame)
	}
	if err := fr.fill(int(n)); err != nil {
		return nil, err
	}
	if err := fr.msg.Parse(fr.buf); err != nil {
		return nil, err
	}
	return &fr.msg, nil
}

// fill reads n bytes into fr.buf, growing it as they arrive.
func (fr *FrameReader) fill(n int) error {
	if cap(fr.buf) > maxKeep && n <= maxKeep {
		fr.buf = nil // the last frame was huge: let its buffer go
	}
	fr.buf = fr.buf[:0]
	for len(fr.buf) < n {
		chunk := min(n-len(fr.buf), max(len(fr.buf), 64<<10))
		fr.buf = slices.Grow(fr.buf, chunk)
		k, err := io.ReadFull(fr.r, fr.buf[len(fr.buf):len(fr.buf)+chunk])
		fr.buf = fr.buf[:len(fr.buf)+k]
		if err != nil {
			return io.ErrUnexpectedEOF
		}
	}
	return nil
}

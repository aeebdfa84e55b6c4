package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
)

// countWriter counts the Write calls it gets.
type countWriter struct {
	bytes.Buffer
	writes int
}

func (w *countWriter) Write(p []byte) (int, error) {
	w.writes++
	return w.Buffer.Write(p)
}

func TestFramesRoundTripInOneWrite(t *testing.T) {
	msgs := sampleMsgs(t)
	var w countWriter
	fw := NewFrameWriter(&w)
	for i := range msgs {
		if err := fw.Add(&msgs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := fw.Flush(); err != nil || n != w.Len() {
		t.Fatalf("Flush = %d, %v; want %d, nil", n, err, w.Len())
	}
	if w.writes != 1 {
		t.Errorf("%d writes for %d frames; want 1", w.writes, len(msgs))
	}
	if n, err := fw.Flush(); n != 0 || err != nil || w.writes != 1 {
		t.Errorf("Flush with nothing added = %d, %v, and wrote; want 0, nil, no write", n, err)
	}
	fr := NewFrameReader(&w)
	for i := range msgs {
		m, err := fr.Next()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if !equalMsg(m, &msgs[i]) {
			t.Errorf("frame %d: %+v; want %+v", i, *m, msgs[i])
		}
	}
	if _, err := fr.Next(); err != io.EOF {
		t.Errorf("Next at the end = %v; want io.EOF", err)
	}
}

func TestShortFrameIsUnexpectedEOF(t *testing.T) {
	var buf bytes.Buffer
	fw := NewFrameWriter(&buf)
	fw.Send(&Msg{Kind: KindResult, ID: 1, Value: []byte("a result")})
	whole := buf.Bytes()
	for cut := 1; cut < len(whole); cut++ {
		_, err := NewFrameReader(bytes.NewReader(whole[:cut])).Next()
		if err != io.ErrUnexpectedEOF {
			t.Errorf("a frame cut after %d of %d bytes: Next = %v; want io.ErrUnexpectedEOF", cut, len(whole), err)
		}
	}
}

// TestShortFrameOnAPipeDoesNotHang: a writer that dies half-way through a
// frame closes its end; Next returns instead of waiting for the rest.
func TestShortFrameOnAPipeDoesNotHang(t *testing.T) {
	r, w := io.Pipe()
	go func() {
		w.Write([]byte{0, 0, 0, 100, byte(KindResult)})
		w.Close()
	}()
	if _, err := NewFrameReader(r).Next(); err != io.ErrUnexpectedEOF {
		t.Errorf("Next = %v; want io.ErrUnexpectedEOF", err)
	}
}

func TestOversizedFrameIsRefused(t *testing.T) {
	head := binary.BigEndian.AppendUint32(nil, MaxFrame+1)
	_, err := NewFrameReader(bytes.NewReader(head)).Next()
	if err == nil || !strings.Contains(err.Error(), "over the limit") {
		t.Errorf("Next = %v; want an error about the limit", err)
	}
	half := make([]byte, MaxFrame/2) // never touched: no memory is used
	big := &Msg{Kind: KindPanic, Stack: half, Value: half}
	fw := NewFrameWriter(io.Discard)
	if err := fw.Add(big); err == nil {
		t.Error("Add of a message over MaxFrame = nil error; want one")
	}
}

// TestClaimedLengthAllocatesNothingUnsent: a frame that claims 1 GiB and
// holds a few bytes costs a few bytes.
func TestClaimedLengthAllocatesNothingUnsent(t *testing.T) {
	data := append(binary.BigEndian.AppendUint32(nil, MaxFrame), 1, 2, 3)
	fr := NewFrameReader(bytes.NewReader(data))
	if _, err := fr.Next(); err != io.ErrUnexpectedEOF {
		t.Errorf("Next = %v; want io.ErrUnexpectedEOF", err)
	}
	if c := cap(fr.buf); c > 1<<20 {
		t.Errorf("buffer of %d bytes for 3 bytes received", c)
	}
}

// failWriter fails every write after writing half.
type failWriter struct{}

func (failWriter) Write(p []byte) (int, error) { return len(p) / 2, errors.New("broken pipe") }

func TestFlushReportsWhatReachedTheStream(t *testing.T) {
	fw := NewFrameWriter(failWriter{})
	fw.Add(&Msg{Kind: KindCancel, ID: 1})
	fw.Add(&Msg{Kind: KindCancel, ID: 2})
	n, err := fw.Flush()
	if err == nil || n == 0 {
		t.Errorf("Flush = %d, %v; want the bytes written and the error", n, err)
	}
	if n, err := fw.Flush(); n != 0 || err != nil {
		t.Errorf("second Flush = %d, %v; want the failed frames dropped", n, err)
	}
}

func TestFrameWriterIsSafeForConcurrentUse(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	fw := NewFrameWriter(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 100 {
				fw.Add(&Msg{Kind: KindCall, ID: uint64(g*1000 + i), Name: "f", Value: []byte("some argument")})
				if i%7 == 0 {
					fw.Flush()
				}
			}
		})
	}
	wg.Wait()
	fw.Flush()
	fr := NewFrameReader(&buf)
	seen := map[uint64]bool{}
	for {
		m, err := fr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if seen[m.ID] || m.Name != "f" || string(m.Value) != "some argument" {
			t.Fatalf("frame %+v: repeated or garbled", *m)
		}
		seen[m.ID] = true
	}
	if len(seen) != 400 {
		t.Errorf("%d frames read; want 400", len(seen))
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

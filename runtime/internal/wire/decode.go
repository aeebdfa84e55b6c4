package wire

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"reflect"
	"sync"
)

// DecodeValue decodes data, made by AppendValue in any process of the same
// program, into v, which must be a non-nil pointer: *v is set to the value
// (zeroed first, so nothing of its old value is kept). The type of *v must be
// compatible, in gob's sense, with the type that was encoded. A panic in a
// GobDecode or UnmarshalBinary method is returned as a *Panic. DecodeValue
// does not keep data; it is safe for concurrent use.
func DecodeValue(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("wire: DecodeValue needs a non-nil pointer, not %T", v)
	}
	hv, n := binary.Uvarint(data)
	if n > 0 && hv&flagPlain != 0 {
		return decodePlain(data[n:], rv.Elem())
	}
	if n <= 0 || hv>>2 > uint64(len(data)-n) {
		return errors.New("wire: malformed value: bad header length")
	}
	stream := data[n:] // the header, then the value
	header, value := stream[:hv>>2], stream[hv>>2:]
	if hv&flagTangled == 0 && gobMessageID(value) < 0 {
		return errors.New("wire: malformed value: a type definition after the header")
	}
	env := reflect.New(decEnvelopeOf(rv.Type().Elem()))
	env.Elem().Field(0).Set(rv)
	rv.Elem().SetZero()

	if hv&flagTangled != 0 { // tangled: this value is readable with its own header only
		return decodeOnce(newDecoder(), stream, env)
	}
	c := decoders.lookup(header)
	d := c.get()
	in := value
	if !d.primed {
		in = stream
	}
	if err := decodeOnce(d, in, env); err != nil {
		return err // d is dropped: it may be half-way through a message
	}
	d.primed = true
	if c == nil {
		c = decoders.add(header)
	}
	c.put(d, len(in))
	return nil
}

// decodeOnce decodes in, one gob value and the type definitions it needs,
// into env with d, and checks that nothing is left.
func decodeOnce(d *decoder, in []byte, env reflect.Value) (err error) {
	defer catchPanic(&err)
	d.r.Reset(in)
	if err := d.dec.DecodeValue(env); err != nil {
		return err
	}
	if d.r.Len() != 0 {
		return errors.New("wire: malformed value: trailing bytes")
	}
	return nil
}

// decEnvelopes caches decEnvelopeOf per type.
var decEnvelopes sync.Map // reflect.Type → reflect.Type

// decEnvelopeOf returns struct{ V *t }: gob, decoding a struct{ V t },
// writes straight into the caller's *t through it.
func decEnvelopeOf(t reflect.Type) reflect.Type {
	if et, ok := decEnvelopes.Load(t); ok {
		return et.(reflect.Type)
	}
	et := envelopeOf(reflect.PointerTo(t))
	decEnvelopes.Store(t, et)
	return et
}

// A decoder is a gob stream that has read one header: once primed with the
// header and a first value, it reads each later value alone. r is reset to
// each message; being an io.ByteReader, it keeps gob from wrapping it in a
// bufio.Reader that would read ahead.
type decoder struct {
	dec    *gob.Decoder
	r      *bytes.Reader
	primed bool
}

func newDecoder() *decoder {
	d := &decoder{r: bytes.NewReader(nil)}
	d.dec = gob.NewDecoder(d.r)
	return d
}

// maxHeaders bounds the headers whose decoders are cached: a value with any
// other header is decoded with a fresh decoder, so that garbage headers
// cannot grow memory.
const maxHeaders = 256

// decoderCache maps a header, as exact bytes, to the decoders that read it.
// Two processes may number the same types differently, or different types
// alike: a header is the full description of the numbers a value uses, so
// equal headers mean equal numbering.
type decoderCache struct {
	mu sync.RWMutex
	m  map[string]*headerDecoders
}

// decoders is the process's decoder cache.
var decoders = decoderCache{m: map[string]*headerDecoders{}}

// headerDecoders pools the decoders primed with one header.
type headerDecoders struct{ pool sync.Pool }

// lookup returns the decoders of header, or nil if none is cached.
func (c *decoderCache) lookup(header []byte) *headerDecoders {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[string(header)]
}

// add returns the decoders of header, adding them to the cache unless it is
// full; then it returns nil.
func (c *decoderCache) add(header []byte) *headerDecoders {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h, ok := c.m[string(header)]; ok {
		return h
	}
	if len(c.m) >= maxHeaders {
		return nil
	}
	h := &headerDecoders{}
	c.m[string(header)] = h
	return h
}

// reset empties the cache (for tests: a fresh cache is what another process
// has).
func (c *decoderCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = map[string]*headerDecoders{}
}

// get returns a decoder of h, or a fresh unprimed one when h is nil or has
// none free.
func (h *headerDecoders) get() *decoder {
	if h != nil {
		if d, ok := h.pool.Get().(*decoder); ok {
			return d
		}
	}
	return newDecoder()
}

// put gives d, which just read n bytes, back to h for reuse; a nil h (the
// cache is full) or a big message drops it.
func (h *headerDecoders) put(d *decoder, n int) {
	if h != nil && n <= maxKeep {
		h.pool.Put(d)
	}
}

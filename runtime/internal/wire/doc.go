// Package wire is what remote execution sends: values, messages and the
// frames that carry messages on a byte stream. It imports only the standard
// library, and knows nothing of pools, processes or brokers.
//
// # Self-contained
//
// Every message can be read without any message before it. A pipe to a child
// process could share one gob stream for the child's life (type definitions
// sent once), but a broker may deliver a message to any worker process, or
// deliver it again to another after a worker died: a message that leans on
// an earlier one is unreadable there. So each message carries all it needs.
//
// # Messages and frames
//
// A [Msg] is one struct for every [Kind] of message, encoded by hand:
//
//	kind  byte
//	id    uvarint
//	has   byte: one bit per field present (Name, Deadline, Grace, Class, Text, Stack, Value)
//	the fields present, in that order: strings and bytes as a uvarint length
//	and the bytes, Deadline and Grace as varints, Class as a byte
//
// On a byte stream such as a pipe, each message is a frame: a big-endian
// uint32 length, then the message ([FrameWriter], [FrameReader]). Reading a
// whole frame before parsing it means that a writer that dies half-way
// through a write leaves a short frame, an error, never a reader waiting for
// more. A broker carries messages as they are, without the frame.
//
// # Values
//
// A call's argument and its result travel in Msg.Value, encoded by
// [AppendValue] and decoded by [DecodeValue] with encoding/gob, so that any
// type gob handles works. A value is
//
//	uvarint(len(header)<<2 | tangled<<1)  header  value
//
// or, for a value of a plain type (a bool, number, string or []byte, named or
// not, that does not encode itself), without gob at all:
//
//	uvarint(1)  kind  payload
//
// where kind is the reflect.Kind and the payload a varint, uvarint, the
// float's IEEE bits as a uvarint, a byte, or a uvarint length and the bytes.
//
// where header and value are gob messages: header the type definitions
// (negative type ids), value the one message of the value itself, wrapped
// in a struct{ V T } (gob cannot send a nil pointer or an empty struct at top
// level, but can as a field).
//
// A fresh gob stream per value would be self-contained too, but costs about
// 30µs to decode: gob sends the type definitions and compiles a decoder for
// them every time. Instead, AppendValue keeps long-lived gob encoders per Go
// type (a sync.Pool), and cuts what each one writes into type definitions,
// appended to that encoder's cumulative header, and the value's message. The
// header is the whole description of the type numbers the value uses: its
// bytes, sent in front of every value, are the key of a decoder cache.
// DecodeValue primes a gob decoder for a header by feeding it the header and
// a first value, and then feeds it only the values with that header; it
// pools decoders per header for concurrent use. Two processes that number
// types differently send different headers, so the cache is never wrong. It
// holds at most 256 headers; a value with another header is decoded with a
// fresh decoder, so garbage cannot grow memory.
//
// gob describes the dynamic type of an interface value the first time it
// meets the type, inside the value's message. AppendValue walks a value whose
// type can hold an interface first (the same walk refuses a value that holds
// a cycle, which would make gob overflow its stack, a fatal error), and
// describes the dynamic types it finds at top level, so that they join the
// header: a value with a new dynamic type makes its encoder's header grow,
// and its header is a new cache key. Should gob still write a definition
// inside a value, AppendValue marks the value tangled: DecodeValue reads it
// with a fresh decoder, and its encoder is dropped.
//
// An encoder or decoder whose gob call returned an error or panicked is
// dropped, never reused. A panic in a GobEncode or GobDecode method (gob
// lets them through) is returned as a [*Panic].
//
// # Cost
//
// Measured on 2 noisy cores (medians of 10 runs), for a struct of two
// strings and two ints (129 bytes as a fresh gob stream, 152 bytes here with
// its 81-byte header): AppendValue 0.32µs with no allocation, DecodeValue
// 0.51µs with 4, against 2.1µs and 13.4µs for a fresh gob encoder and
// decoder (6.6x and 26x). A value whose type holds an interface is walked on
// every encode: a round trip of a struct holding a struct holding a struct
// takes 2.9µs. The first value with a given header costs its decoder's
// priming, about as much as a fresh stream.
package wire

package cluster

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/poolgen/poolgen/runtime/internal/proc"
	"github.com/poolgen/poolgen/runtime/internal/remote"
	"github.com/poolgen/poolgen/runtime/internal/wire"
)

// WorkerLostError is the error of a call whose every worker died running it
// (or went silent past AckWait): Attempts deliveries were made, Retries+1.
type WorkerLostError struct{ Attempts int }

// Error says how many times the task was lost.
func (e *WorkerLostError) Error() string {
	return fmt.Sprintf("cluster: the task was lost with its worker %d times", e.Attempts)
}

// ErrPayloadTooLarge is the error of a call whose argument or result is over
// the server's max payload (NATS's default: 1 MiB). Nothing of it was sent.
var ErrPayloadTooLarge = errors.New("cluster: the value is over the server's max payload")

// The classes of the error replies that only this package makes, decoded
// by backendError. They do not cross the wire as classes (wire knows only its
// own): a reply of one carries it in its hdrClass header (see publishReply).
const (
	classExit  = remote.ClassBackend + iota // a worker's child died: Value is its exit code, Text its stderr, Stack why
	classLost                               // every worker died: Value is the attempts
	classLarge                              // over max payload
)

func init() { remote.BackendError = backendError }

// backendError is remote.BackendError.
func backendError(m *wire.Msg) error {
	n, _ := binary.Uvarint(m.Value)
	switch m.Class {
	case classExit:
		return &proc.ExitError{Code: int(n), Stderr: m.Text, Why: string(m.Stack)}
	case classLost:
		return &WorkerLostError{Attempts: int(n)}
	case classLarge:
		return fmt.Errorf("cluster: the %s of the call is over the server's max payload: %w", m.Text, ErrPayloadTooLarge)
	}
	return &wire.RemoteError{Text: m.Text, Class: m.Class}
}

// replyOf is the reply to call id that a worker's job delivered, as value
// or err.
func replyOf(id uint64, value []byte, err error) *wire.Msg {
	var (
		re *wire.RemoteError
		rp *remote.RemotePanic
		ee *proc.ExitError
	)
	switch {
	case err == nil:
		return &wire.Msg{Kind: wire.KindResult, ID: id, Value: value}
	case errors.As(err, &rp):
		return &wire.Msg{Kind: wire.KindPanic, ID: id, Text: rp.Value, Stack: rp.Stack}
	case errors.As(err, &ee):
		return &wire.Msg{Kind: wire.KindError, ID: id, Class: classExit, Text: ee.Stderr, Stack: []byte(ee.Why), Value: binary.AppendUvarint(nil, uint64(ee.Code))}
	case errors.As(err, &re):
		return &wire.Msg{Kind: wire.KindError, ID: id, Class: re.Class, Text: re.Text}
	}
	return &wire.Msg{Kind: wire.KindError, ID: id, Class: wire.ClassOf(err), Text: err.Error()}
}

// lostReply is the reply to call id that every worker died running.
func lostReply(id uint64, attempts int) *wire.Msg {
	return &wire.Msg{Kind: wire.KindError, ID: id, Class: classLost, Value: binary.AppendUvarint(nil, uint64(attempts))}
}
